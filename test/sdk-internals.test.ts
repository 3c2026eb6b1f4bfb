// GIVEN the pinned @pulumi/pulumi
// WHEN the deploy path asks it which config keys the engine passed as secrets (an internal of the SDK)
// THEN it still answers key by key; an SDK that changes or removes it fails here, naming its version.
import { afterEach, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { configSecretCheck, sdkVersion } from "../infra/sdk-internals";

const version = sdkVersion();
const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { dependencies: Record<string, string> };

describe(`@pulumi/pulumi ${version} internals the deploy path uses`, () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  test(`@pulumi/pulumi ${version}: isConfigSecret tells the keys set as secrets from the plain ones`, () => {
    pulumi.runtime.setAllConfig({ "platform:alertWebhookUrl": "https://hooks.example.com/x", "platform:domain": "example.com" }, [
      "platform:alertWebhookUrl",
    ]);
    const isSecret = configSecretCheck();
    expect([isSecret("platform:alertWebhookUrl"), isSecret("platform:domain"), isSecret("platform:unset")]).toEqual([true, false, false]);
  });

  test("the version named is the one package.json pins", () => {
    expect(version).toBe(manifest.dependencies["@pulumi/pulumi"]);
  });

  test("an SDK without isConfigSecret stops the program with an error naming the SDK version", () => {
    const sdk = runtimeConfig as unknown as Record<string, unknown>;
    const isConfigSecret = sdk.isConfigSecret;
    delete sdk.isConfigSecret;
    try {
      expect(() => configSecretCheck()).toThrow(
        `@pulumi/pulumi ${version} no longer provides isConfigSecret in runtime/config, which tells secret config keys from plain ones (infra/sdk-internals.ts)`,
      );
    } finally {
      sdk.isConfigSecret = isConfigSecret;
    }
  });
});
