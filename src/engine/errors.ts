/**
 * Typed engine errors. Every message is short, lower case after the class name,
 * names the GPU object's label where there is one, and says what to do.
 */

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** navigator.gpu is missing or no adapter came back. */
export class NoAdapterError extends GpuError {}

/** WGSL failed to compile; `label` is the kernel's label, `messages` the compiler's lines. */
export class ShaderCompileError extends GpuError {
  constructor(
    readonly label: string,
    readonly messages: string[],
  ) {
    super(`shader "${label}" failed to compile:\n${messages.join('\n')}`);
  }
}

/** A WebGPU validation error caught in an error scope around `what`. */
export class GpuValidationError extends GpuError {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`validation failed in ${what}: ${detail}`);
  }
}

/** The device went away (driver reset, tab backgrounded too long, destroy()). */
export class DeviceLostError extends GpuError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`gpu device lost (${reason}): ${detail || 'no detail'}; reload the page or restart the run`);
  }
}

/** A request the device cannot satisfy (buffer too large, too many bindings). */
export class LimitError extends GpuError {}
