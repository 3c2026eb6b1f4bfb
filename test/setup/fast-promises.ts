// The SDK wraps every internal promise in `debuggablePromise`, which captures a stack trace that jest
// then rewrites through source maps: ~20 ms per resource. The wrapper only feeds the SDK's promise-leak
// diagnostics, so the tests replace it with the identity; registrations and their order are unchanged.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>) => Promise<T> };
debuggable.debuggablePromise = <T>(p: Promise<T>) => p;
