// @pulumi/policy 1.21 exports unknownCheckingProxy and UnknownValueError from its index (the server
// throws UnknownValueError when a policy reads a value unknown during a preview), but its proxy.d.ts
// declares nothing, so TypeScript would see both as `any`. These declarations restore their types.
export {};

declare module "@pulumi/policy/proxy" {
  /** Wraps resource inputs so that reading a value unknown during a preview throws UnknownValueError. */
  export function unknownCheckingProxy<T extends object>(toProxy: T): T;
  export class UnknownValueError extends Error {
    constructor(unknownTypeSentinel: string, props: string[]);
    /** Path of the property that was unknown, e.g. ["vpcConfig", "subnetIds"]. */
    readonly props: string[];
    readonly unknownTypeSentinel: string;
  }
}
