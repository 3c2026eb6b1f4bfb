// A stack needs only its own cloud's SDK, and loading the other costs 0.2-0.3 s of CPU for nothing
// (README, "Speed"). Modules every stack loads therefore import a cloud's code as types only and load it
// here, on the branch of the cloud that uses it. Each loader is typed as the module it returns; `require`
// caches, so calling one again costs nothing.
import type * as AwsSdk from "@pulumi/aws";
import type * as GcpSdk from "@pulumi/gcp";
import type * as AwsPlatform from "./aws";
import type * as GcpPlatform from "./gcp";

/* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose, see above */
export const awsSdk = (): typeof AwsSdk => require("@pulumi/aws") as typeof AwsSdk;
export const gcpSdk = (): typeof GcpSdk => require("@pulumi/gcp") as typeof GcpSdk;
/** The AWS half of the platform (infra/aws.ts) and the AWS components it builds. */
export const awsPlatform = (): typeof AwsPlatform => require("./aws") as typeof AwsPlatform;
/** The GCP half of the platform (infra/gcp.ts) and the GCP components it builds. */
export const gcpPlatform = (): typeof GcpPlatform => require("./gcp") as typeof GcpPlatform;
