// The one undocumented part of @pulumi/pulumi the deploy path relies on, kept here alone so an SDK upgrade
// has one place to look. It is checked when first used, and test/sdk-internals.test.ts fails naming the
// installed SDK version when it changes or goes.
//
// A secret key set in plain text must be refused, so the program has to know which keys the engine passed
// as secrets. The public API cannot tell: `pulumi.Config#getSecret` and `requireSecret` wrap any value as
// a secret, encrypted in the stack file or not, and `runtime.allConfig()` returns bare text. The SDK's
// runtime/config module answers the question with `isConfigSecret`, which it marks @internal and leaves
// out of its typings.
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";

/** The installed @pulumi/pulumi version, as errors about its internals name it. */
export function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- read only when an error names it
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/**
 * Returns the SDK's test of whether the engine passed a config key (`platform:alertWebhookUrl`) as a secret.
 * @throws Error naming the installed SDK version when the SDK no longer provides it
 */
export function configSecretCheck(): (key: string) => boolean {
  const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret?: (key: string) => boolean };
  if (typeof isConfigSecret !== "function") {
    throw new Error(
      `@pulumi/pulumi ${sdkVersion()} no longer provides isConfigSecret in runtime/config, which tells secret config keys from plain ones (infra/sdk-internals.ts)`,
    );
  }
  return isConfigSecret;
}
