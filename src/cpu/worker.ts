/**
 * The CPU trainer's module worker: hosts CPU run groups (host.ts) so training never blocks the
 * page. Started by createCpuBackend({ worker: true }); nothing else runs here.
 */
import { CpuHost } from './host';
import type { FromWorker, MessagePortLike, ToWorker } from './protocol';

// The project's lib is DOM, not WebWorker: the worker scope is typed by the one shape it uses.
const scope = self as unknown as MessagePortLike<ToWorker, FromWorker>;
const host = new CpuHost((message, transfer) => scope.postMessage(message, transfer));
scope.onmessage = (event) => host.handle(event.data);
