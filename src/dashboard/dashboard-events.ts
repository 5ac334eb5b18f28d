import type { ServerResponse } from "node:http";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";

const HEARTBEAT_MS = 15_000;

/**
 * Live updates for open dashboards, as Server-Sent Events: one small `turn` event per recorded turn
 * (which session it belongs to), so a page refetches only what changed. One recorder listener for all
 * pages; nothing is serialized while no page is open.
 */
export class DashboardEvents {
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(recorder: TurnRecorder) {
    recorder.onTurn((turn) => this.publish(turn));
  }

  get openStreams(): number {
    return this.clients.size;
  }

  open(response: ServerResponse): void {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    // Tells EventSource how long to wait before reconnecting after the gateway restarts.
    response.write("retry: 2000\n\n");
    this.clients.add(response);
    response.on("close", () => {
      this.clients.delete(response);
      if (this.clients.size === 0) this.stopHeartbeat();
    });
    // Comments keep idle proxies and the browser from closing a quiet stream.
    this.heartbeat ??= setInterval(() => this.broadcast(": heartbeat\n\n"), HEARTBEAT_MS).unref();
  }

  /** Ends every open stream (the gateway is closing). */
  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.stopHeartbeat();
  }

  private publish(turn: TurnRecord): void {
    if (this.clients.size === 0) return;
    const event = { id: turn.id, sessionId: turn.sessionId ?? null, startedAt: turn.startedAt };
    this.broadcast(`event: turn\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private broadcast(text: string): void {
    for (const client of this.clients) {
      // A page that stopped reading is dropped rather than buffered without bound.
      if (client.writableLength > 1 << 20) client.destroy();
      else client.write(text);
    }
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
