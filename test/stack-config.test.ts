// GIVEN the flat config map the engine hands a program
// WHEN it is split into settings to validate and secrets to keep out of validation
// THEN structured values are parsed, secrets never reach the settings, and stray keys are refused.
import { describe, expect, test } from "@jest/globals";
import { splitConfig } from "../infra/stack-config";

const secretKeys =
  (...keys: string[]) =>
  (key: string) =>
    keys.includes(key);

describe("splitConfig", () => {
  test("parses structured values and keeps the identity keys as text", () => {
    const split = splitConfig(
      {
        "platform:cloud": "aws",
        "platform:region": "eu-west-1",
        "platform:domain": "123",
        "platform:network": '{"zones":3}',
        "platform:apps": '[{"name":"web"}]',
        "pulumi:disable-default-providers": '["aws"]',
      },
      secretKeys(),
    );
    expect(split).toEqual({
      settings: { cloud: "aws", region: "eu-west-1", domain: "123", network: { zones: 3 }, apps: [{ name: "web" }] },
      secrets: {},
      problems: [],
    });
  });

  test("text where a mapping belongs stays text, for the schema to reject with the value shown", () => {
    expect(splitConfig({ "platform:network": "big" }, secretKeys()).settings).toEqual({ network: "big" });
  });

  test("secret keys go to secrets only when the engine marks them secret", () => {
    const split = splitConfig({ "platform:alertWebhookUrl": "https://hooks.example.com/x" }, secretKeys("platform:alertWebhookUrl"));
    expect(split.settings).toEqual({});
    expect(split.secrets).toEqual({ alertWebhookUrl: "https://hooks.example.com/x" });
    expect(split.problems).toEqual([]);
  });

  test("a secret key in plain text is refused without echoing its value", () => {
    const split = splitConfig({ "platform:alertWebhookUrl": "https://hooks.example.com/leak" }, secretKeys());
    expect(split.secrets).toEqual({});
    expect(split.problems).toEqual([
      "platform:alertWebhookUrl must be a secret, not plain text: set it with `pulumi config set --secret alertWebhookUrl <value>`",
    ]);
    expect(split.problems.join("\n")).not.toContain("leak");
  });

  test("settings holding secrets are refused, so validation never unwraps a secret", () => {
    const split = splitConfig({ "platform:database": '{"password":"x"}' }, secretKeys("platform:database"));
    expect(split.settings).toEqual({});
    expect(split.problems).toEqual(["platform:database must not hold secrets; only platform:alertWebhookUrl may be secret"]);
  });

  test("provider config the program would ignore is refused", () => {
    expect(splitConfig({ "aws:region": "us-east-1" }, secretKeys()).problems).toEqual([
      "aws:region is not read by this program: providers are configured from platform:* keys (remove it, or use platform:region, platform:aws, platform:gcp)",
    ]);
  });
});
