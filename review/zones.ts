// The Availability Zones each AWS region offers a new account, so the offline review answers
// getAvailabilityZones as the region would: `network.zones: 6` in eu-west-1 fails here as it would in AWS.
//
// Source: AWS's published list of Regions and their Availability Zones (docs.aws.amazon.com/global-
// infrastructure/latest/regions/aws-regions.html, and aws.amazon.com/about-aws/global-infrastructure/
// regions_az), as of 2026-12-02. Letters are the zone names a new account sees: us-west-1 shows two zones
// (older accounts three), ap-northeast-1 three (its fourth zone is closed to new accounts), ca-central-1 and
// cn-north-1 skip a letter. Regions missing here (the isolated US and EU partitions) have no public list;
// the review refuses them rather than guess. Re-check when AWS opens a zone or a region.
export const ZONES_AS_OF = "2026-12-02";

export const AWS_ZONE_LETTERS: Readonly<Record<string, string>> = {
  "af-south-1": "abc",
  "ap-east-1": "abc",
  "ap-east-2": "abc",
  "ap-northeast-1": "acd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ap-south-1": "abc",
  "ap-south-2": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-southeast-3": "abc",
  "ap-southeast-4": "abc",
  "ap-southeast-5": "abc",
  "ap-southeast-6": "abc",
  "ap-southeast-7": "abc",
  "ca-central-1": "abd",
  "ca-west-1": "abc",
  "cn-north-1": "abd",
  "cn-northwest-1": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "eusc-de-east-1": "abc",
  "il-central-1": "abc",
  "me-central-1": "abc",
  "me-south-1": "abc",
  "mx-central-1": "abc",
  "sa-east-1": "abc",
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-gov-east-1": "abc",
  "us-gov-west-1": "abc",
  "us-west-1": "bc",
  "us-west-2": "abcd",
};

/** eu-west-1 -> euw1, the prefix of AWS zone ids. */
function zoneIdPrefix(region: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${direction.slice(0, 1)}${number}`;
}

/** The region's zones as getAvailabilityZones lists them; undefined for a region the table lacks. */
export function awsZones(region: string): { names: string[]; zoneIds: string[] } | undefined {
  const letters = AWS_ZONE_LETTERS[region];
  if (letters === undefined) return undefined;
  return {
    names: [...letters].map((letter) => `${region}${letter}`),
    zoneIds: [...letters].map((letter) => `${zoneIdPrefix(region)}-az${letter.charCodeAt(0) - 96}`),
  };
}
