import type { Socket } from "node:net";
import type { buildConnector } from "undici";

type Connector = buildConnector.connector;
type ConnectOptions = buildConnector.Options;
type Callback = buildConnector.Callback;

/**
 * One connection opened ahead of a request, handed to the pool's next connect.
 *
 * A local server's pool keeps idle connections only briefly (4 s: llama-server closes them after 5 s, and
 * a connection reused as it closes costs a second send), so an agent's next turn after a longer pause (a
 * long generation, a slow tool, the user typing) finds none and connects while its request waits. `open()`, called when a request arrives, starts that
 * connection while the gateway is still reading and planning the request; the pool's connector takes it
 * instead of dialling, connected or still connecting. One untaken within `idleMs` is closed, as an idle
 * kept-alive one would be. A spare that fails or closes first is dropped, and the pool dials as before.
 */
export class SpareConnection {
  private spare:
    | { socket: Socket; connected: boolean; error?: Error; timer: NodeJS.Timeout; onClose: () => void }
    | undefined;
  /** What the pool last dialled with; none until its first connection (a spare needs the same address). */
  private options: ConnectOptions | undefined;

  constructor(
    private readonly dial: Connector,
    private readonly idleMs: number,
  ) {}

  /** The pool's connector: the spare when there is one, else a new connection. */
  readonly connect: Connector = (options, callback) => {
    this.options = options;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare || spare.error || spare.socket.destroyed) return this.dial(options, callback);
    clearTimeout(spare.timer);
    spare.socket.off("close", spare.onClose);
    // Never synchronously: undici's client resumes its queue from the callback, as after a real connect.
    if (spare.connected) queueMicrotask(() => callback(null, spare.socket));
    else hand(spare.socket, callback, () => this.dial(options, callback));
  };

  /** Starts a connection for the next request, unless one is waiting already or the pool never dialled. */
  open(): void {
    if (!this.options || (this.spare && !this.spare.error && !this.spare.socket.destroyed)) return;
    // undici's connector returns the socket it dials, though its type says void; without one, no spare.
    const socket = (this.dial as (options: ConnectOptions, callback: Callback) => Socket | undefined)(
      this.options,
      (...[error]) => {
        const spare = this.spare;
        if (!spare || spare.socket !== socket) return;
        if (error) spare.error = error;
        else spare.connected = true;
      },
    );
    if (!socket) return;
    const onClose = () => {
      clearTimeout(timer);
      if (this.spare?.socket === socket) this.spare = undefined;
    };
    const timer = setTimeout(() => socket.destroy(), this.idleMs);
    timer.unref();
    socket.once("close", onClose);
    this.spare = { socket, connected: false, timer, onClose };
  }

  /** Closes a waiting spare (the pool is closing). */
  close(): void {
    this.spare?.socket.destroy();
    this.spare = undefined;
  }
}

/** Hands a still-connecting socket over once it connects; if it fails instead, dials afresh. */
function hand(socket: Socket, callback: Callback, redial: () => void): void {
  const onConnect = () => {
    socket.off("error", onError);
    callback(null, socket);
  };
  const onError = () => {
    socket.off("connect", onConnect);
    redial();
  };
  socket.once("connect", onConnect);
  socket.once("error", onError);
}
