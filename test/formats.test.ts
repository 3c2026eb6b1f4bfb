// Pure value checks and CIDR arithmetic, example by example and as properties.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { contains, coversEveryAddress, formatCidr, isPrivate, overlaps, parseCidr, size } from "../components/cidr";
import * as f from "../components/formats";
import * as w from "../components/windows";

describe("CIDR blocks", () => {
  test.each<[string[], boolean]>([
    [["0.0.0.0/0"], true],
    [["128.0.0.0/1", "0.0.0.0/1"], true],
    [["0.0.0.0/2", "64.0.0.0/2", "0.0.0.0/1", "128.0.0.0/1"], true],
    [["0.0.0.0/1", "128.0.0.0/2"], false],
    [["0.0.0.0/1", "192.0.0.0/2"], false],
    [["10.0.0.0/8", "not-a-block"], false],
    [[], false],
  ])("%j covers every address: %s", (cidrs, covered) => {
    expect(coversEveryAddress(cidrs)).toBe(covered);
  });

  test.each([
    ["10.0.0.0/16", { base: 0x0a000000, prefix: 16 }],
    ["192.168.1.128/25", { base: 0xc0a80180, prefix: 25 }],
    ["0.0.0.0/0", { base: 0, prefix: 0 }],
    ["255.255.255.255/32", { base: 0xffffffff, prefix: 32 }],
  ])("%s parses", (text, cidr) => {
    expect(parseCidr(text)).toEqual(cidr);
  });

  test.each(["10.0.0.1/16", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/16", "10.0.0.0", "010.0.0.0/8", " 10.0.0.0/16"])(
    "%s is refused",
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  const block = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([ip, prefix]) => ({ base: ip - (ip % size(prefix)), prefix }));

  test("property: format and parse round-trip", () => {
    fc.assert(fc.property(block, (cidr) => expect(parseCidr(formatCidr(cidr))).toEqual(cidr)));
  });

  test("property: a block contains itself and its halves, which overlap it but not each other", () => {
    fc.assert(
      fc.property(
        block.filter((c) => c.prefix < 32),
        (cidr) => {
          const low = { base: cidr.base, prefix: cidr.prefix + 1 };
          const high = { base: cidr.base + size(cidr.prefix + 1), prefix: cidr.prefix + 1 };
          expect([contains(cidr, cidr), contains(cidr, low), contains(cidr, high), contains(low, cidr)]).toEqual([true, true, true, false]);
          expect([overlaps(cidr, low), overlaps(high, cidr), overlaps(low, high)]).toEqual([true, true, false]);
        },
      ),
    );
  });

  test("private ranges", () => {
    expect(["10.20.0.0/16", "172.16.0.0/12", "192.168.0.0/20"].map((c) => isPrivate(parseCidr(c)!))).toEqual([true, true, true]);
    expect(["172.32.0.0/16", "8.8.8.0/24", "0.0.0.0/0"].map((c) => isPrivate(parseCidr(c)!))).toEqual([false, false, false]);
  });
});

describe("image references", () => {
  test.each([
    ["ghcr.io/stefanprodan/podinfo:6.14.1", true],
    ["registry.example.com:5000/team/app:1.0", true],
    ["nginx@sha256:" + "a".repeat(64), true],
    ["nginx:1.27@sha256:" + "0".repeat(64), true],
    ["nginx:latest", false],
    ["nginx", false],
    ["Nginx:1.0", false],
    ["nginx:", false],
  ])("%s pinned: %s", (ref, pinned) => {
    expect(f.isPinnedImage(ref)).toBe(pinned);
  });
});

describe("cron schedules", () => {
  test.each(["0 3 * * *", "*/15 * * * *", "30 2 * * 1-5", "0 0 1,15 * *", "0 5 * * 0", "0 5 * * 7", "@daily"])("%s is accepted", (s) => {
    expect(f.isCronSchedule(s)).toBe(true);
  });
  test.each([
    "daily",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 8",
    "5-1 * * * *",
    "*/0 * * * *",
    "* * * *",
    "0 3 * * * *",
  ])("%s is refused", (s) => {
    expect(f.isCronSchedule(s)).toBe(false);
  });
});

describe("maintenance and backup windows", () => {
  test("parse into minutes of the week, wrapping past midnight and past Saturday", () => {
    expect(w.parseDailyWindow("03:00-04:00")).toEqual([180, 240]);
    expect(w.parseDailyWindow("23:30-00:30")).toEqual([1410, 1470]);
    expect(w.parseWeeklyWindow("sun:04:30-sun:05:30")).toEqual([270, 330]);
    expect(w.parseWeeklyWindow("sat:23:00-sun:01:00")).toEqual([6 * 1440 + 1380, 7 * 1440 + 60]);
    expect(["3:00-4:00", "03:00-03:00", "25:00-26:00"].map(w.parseDailyWindow)).toEqual([undefined, undefined, undefined]);
    expect(["sunday:04:30-sun:05:30", "xyz:01:00-sun:02:00"].map(w.parseWeeklyWindow)).toEqual([undefined, undefined]);
  });

  test.each([
    ["03:00-04:00", "sun:04:30-sun:05:30", false],
    ["04:00-05:00", "sun:04:30-sun:05:30", true],
    ["23:30-00:30", "mon:00:00-mon:01:00", true],
    ["23:30-00:30", "sat:23:45-sun:00:15", true],
    ["01:00-02:00", "sat:23:00-sun:00:59", false],
  ])("daily %s overlaps weekly %s: %s", (daily, weekly, overlap) => {
    expect(w.dailyOverlapsWeekly(w.parseDailyWindow(daily)!, w.parseWeeklyWindow(weekly)!)).toBe(overlap);
  });
});

describe("quantities", () => {
  test.each([
    ["250m", 250],
    ["1", 1000],
    ["0.5", 500],
    ["0", undefined],
    ["1.5m", 1.5],
    ["1k", undefined],
  ])("cpu %s", (q, v) => {
    expect(f.parseCpu(q)).toBe(v);
  });
  test.each([
    ["128Mi", 134217728],
    ["1Gi", 1073741824],
    ["500M", 5e8],
    ["1024", 1024],
    ["1mi", undefined],
    ["0Mi", undefined],
  ])("memory %s", (q, v) => {
    expect(f.parseMemory(q)).toBe(v);
  });
});

test("edit distance", () => {
  expect([
    f.editDistance("backupRetentionDay", "backupRetentionDays"),
    f.editDistance("netwrok", "network"),
    f.editDistance("", "abc"),
    f.editDistance("same", "same"),
  ]).toEqual([1, 2, 3, 0]);
});
