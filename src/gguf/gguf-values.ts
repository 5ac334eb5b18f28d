import { type GgufMetadataValue, GgufValueType } from "./gguf-types.js";

/** Typed GGUF metadata values, for the files Switchyard writes (test models, fit shapes). */
export const u32 = (value: number): GgufMetadataValue => ({ type: GgufValueType.Uint32, value });
export const f32 = (value: number): GgufMetadataValue => ({ type: GgufValueType.Float32, value });
export const str = (value: string): GgufMetadataValue => ({ type: GgufValueType.String, value });
export const bool = (value: boolean): GgufMetadataValue => ({ type: GgufValueType.Bool, value });
export const arrayOf = (itemType: Exclude<GgufValueType, GgufValueType.Array>, value: number[]): GgufMetadataValue => ({
  type: GgufValueType.Array,
  itemType,
  value,
});
