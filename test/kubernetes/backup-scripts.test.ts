// GIVEN a real PostgreSQL server in a temp dir (the source database `app`, reached over TLS with a password as
//       the backup job reaches RDS, and the restore target: user `postgres` trusted on 127.0.0.1, as in the
//       verification pod) and an rclone remote `backup` of type `local` whose buckets are temp directories
// WHEN BACKUP_SCRIPT and RESTORE_SCRIPT run exactly as exported, with `bash -c`, as an unprivileged user and
//      with the environment of their CronJob containers (plus the test server's port for the restore)
// THEN a backup lands as a dump plus its `.complete` marker and restores into `restored` table for table and
//      row for row; the newest complete dump is chosen and one without a marker passed over; a failing
//      pg_dump leaves no marker; and a stale, missing, unlistable or corrupt dump fails verification with
//      its reason.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { BACKUP_SCRIPT, DEFAULT_MAX_DUMP_AGE_HOURS, RESTORE_SCRIPT } from "../../components/kubernetes/backups";

/** The path both scripts call rclone by: the pods copy the binary there. */
const RCLONE = "/tools/rclone";
const PG_TOOLS = ["postgres", "initdb", "pg_dump", "pg_restore", "psql", "createdb", "pg_isready"];
const SOURCE_PASSWORD = "s3cret-for-tests";

interface Tools {
  /** Directory holding every Postgres program the scripts and the test run, put first on PATH. */
  pgBin?: string;
  /** An rclone to link /tools/rclone to, when /tools/rclone is not there already. */
  rclone?: string;
  missing: string[];
}

const isExecutable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

function findTools(): Tools {
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  const onPath = (name: string) => pathDirs.map((d) => path.join(d, name)).find(isExecutable);
  // Debian keeps each major's server programs in /usr/lib/postgresql/<major>/bin, off PATH; /usr/bin only
  // has wrappers for the clients. Prefer the directory of an initdb on PATH, then the newest major.
  const candidates: string[] = [];
  const initdb = onPath("initdb");
  if (initdb !== undefined) candidates.push(path.dirname(fs.realpathSync(initdb)));
  const debian = "/usr/lib/postgresql";
  if (fs.existsSync(debian)) {
    const majors = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((v) => path.join(debian, v, "bin")));
  }
  const pgBin = candidates.find((dir) => PG_TOOLS.every((t) => isExecutable(path.join(dir, t))));
  const missing: string[] = [];
  if (pgBin === undefined)
    missing.push(`PostgreSQL server and client programs (${PG_TOOLS.join(", ")}) in one directory (Debian: apt-get install postgresql)`);
  let rclone: string | undefined;
  if (!isExecutable(RCLONE)) {
    rclone = onPath("rclone");
    if (rclone === undefined) missing.push("rclone (Debian: apt-get install rclone)");
    else if (process.getuid?.() !== 0) missing.push(`${RCLONE} (only root can link it to ${rclone}; create it yourself)`);
  }
  if (onPath("openssl") === undefined) missing.push("openssl, for the server's TLS certificate");
  return { pgBin, rclone, missing };
}

const tools = findTools();
const inCi = process.env.CI === "true";

if (tools.missing.length > 0 && inCi) {
  test("the programs the backup scripts need are installed", () => {
    throw new Error(`backup-scripts.test.ts needs, and CI must install (.ci/run): ${tools.missing.join("; ")}`);
  });
} else if (tools.missing.length > 0) {
  console.warn(`backup-scripts.test.ts skipped: missing ${tools.missing.join("; ")}`);
  test.skip("backup and restore scripts against a real Postgres and rclone", () => undefined);
} else if (!inCi) {
  // A real server, TLS and rclone cost about 15 s of CPU, a sixth of the suite on 2 cores, so they run in CI
  // (.ci/run sets CI=true) and where asked: CI=true npx jest test/kubernetes/backup-scripts.test.ts
  describe.skip("with CI=true: backup and restore against a real PostgreSQL and rclone", () => describeScripts(tools.pgBin!, tools.rclone));
} else {
  describeScripts(tools.pgBin!, tools.rclone);
}

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function describeScripts(pgBin: string, rclone: string | undefined): void {
  const asRoot = process.getuid?.() === 0;
  // Postgres refuses to run as root: the server, and the scripts with it, run as nobody when we are root.
  const user = asRoot
    ? {
        uid: Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" })),
        gid: Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" })),
      }
    : {};
  let tmp = "";
  let port = 0;
  let server: ChildProcess | undefined;
  let createdTools: { dir: boolean; link: boolean } = { dir: false, link: false };

  /** All a process gets: no PG* or RCLONE* variable of the developer's shell leaks in. */
  const baseEnv = (): NodeJS.ProcessEnv => ({
    PATH: `${pgBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: path.join(tmp, "home"),
    LANG: "C.UTF-8",
    // Far from UTC, and without tzdata: a dump's stamp read as local time would be 5.5 hours off.
    TZ: "IST-5:30",
  });
  const bucketPath = (name: string) => path.join(tmp, "buckets", name);
  /** The environment of the dump container (PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGUSER, PGPASSWORD, store). */
  const backupEnv = (bucket: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    PGHOST: "127.0.0.1",
    PGPORT: String(port),
    PGDATABASE: "app",
    PGSSLMODE: "require",
    PGUSER: "app_owner",
    PGPASSWORD: SOURCE_PASSWORD,
    RCLONE_CONFIG_BACKUP_TYPE: "local",
    BUCKET: bucketPath(bucket),
    ...overrides,
  });
  /**
   * The environment of the verify container (SOURCE_DATABASE, MAX_AGE_HOURS, store), built afresh so none of
   * the backup's PG* settings reach it. The one addition is PGPORT: the throwaway server of the pod listens
   * on 5432, this one on a free port, and the script's clients name no port.
   */
  const restoreEnv = (bucket: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    PGPORT: String(port),
    SOURCE_DATABASE: "app",
    MAX_AGE_HOURS: String(DEFAULT_MAX_DUMP_AGE_HOURS),
    RCLONE_CONFIG_BACKUP_TYPE: "local",
    BUCKET: bucketPath(bucket),
    ...overrides,
  });

  /** Runs a program in its own process group, killed whole if it outlives the timeout. */
  const run = (
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    opts: { asUser?: boolean; timeoutMs?: number } = {},
  ): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env,
        cwd: tmp,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        ...(opts.asUser === false ? {} : user),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      }, opts.timeoutMs ?? 30_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (status, signal) => {
        clearTimeout(timer);
        resolve({ status, signal, stdout, stderr });
      });
    });
  const runScript = (script: string, env: NodeJS.ProcessEnv) => run("bash", ["-c", script], env);
  const checked = async (file: string, args: string[], env: NodeJS.ProcessEnv, opts?: { asUser?: boolean }): Promise<string> => {
    const r = await run(file, args, env, opts);
    if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  /** A query on the server as the trusted superuser, one row a line, columns joined by `|`. */
  const query = (dbname: string, sql: string) =>
    checked(
      path.join(pgBin, "psql"),
      [
        "--host=127.0.0.1",
        `--port=${port}`,
        "--username=postgres",
        `--dbname=${dbname}`,
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        "--set=ON_ERROR_STOP=1",
        `--command=${sql}`,
      ],
      baseEnv(),
      { asUser: false },
    );

  /** Every table, view, materialized view, sequence and index outside the catalogs, with its rows (or a sequence's last value), and the large objects. */
  const inventory = async (dbname: string) =>
    (
      await query(
        dbname,
        `select line from (
         select format('%s %I.%I %s', c.relkind, n.nspname, c.relname,
           case when c.relkind = 'i' then '-'
             else (xpath('/row/v/text()', query_to_xml(format(case when c.relkind = 'S' then 'select last_value as v from %I.%I' else 'select count(*) as v from %I.%I' end, n.nspname, c.relname), false, true, '')))[1]::text end) as line
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'v', 'm', 'S', 'i') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
         union all select 'large objects ' || count(*) from pg_largeobject_metadata
       ) lines order by line`,
      )
    )
      .trim()
      .split("\n");
  /** The count RESTORE_SCRIPT prints, taken on the source. */
  const tableCount = async (dbname: string) =>
    Number(
      (
        await query(dbname, "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")
      ).trim(),
    );
  const databaseExists = async (dbname: string) =>
    (await query("postgres", `select count(*) from pg_database where datname = '${dbname}'`)).trim() === "1";

  /** The stamp format of BACKUP_SCRIPT, `date -u +%Y-%m-%dT%H%M%SZ`. */
  const stampOf = (date: Date) =>
    date
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z")
      .replace(/:/g, "");
  const dumpDir = (bucket: string) => path.join(bucketPath(bucket), "postgres", "app");
  const listDumps = (bucket: string) => (fs.existsSync(dumpDir(bucket)) ? fs.readdirSync(dumpDir(bucket)).sort() : []);
  /** Backs `app` up into a bucket; returns the dump's file name. */
  const backUp = async (bucket: string): Promise<string> => {
    const r = await runScript(BACKUP_SCRIPT, backupEnv(bucket));
    expect(r).toMatchObject({ status: 0 });
    const dumps = listDumps(bucket).filter((f) => f.endsWith(".dump"));
    expect(dumps).toHaveLength(1);
    return dumps[0]!;
  };
  /** Renames a dump and its marker to the stamp of another time; returns the new file name. */
  const restamp = (bucket: string, dump: string, taken: Date): string => {
    const renamed = `${stampOf(taken)}.dump`;
    fs.renameSync(path.join(dumpDir(bucket), dump), path.join(dumpDir(bucket), renamed));
    fs.renameSync(path.join(dumpDir(bucket), `${dump}.complete`), path.join(dumpDir(bucket), `${renamed}.complete`));
    return renamed;
  };
  /** Writes a file into a bucket's dump directory as the test (root may write where nobody owns). */
  const put = (bucket: string, name: string, content: Buffer | string) => {
    fs.mkdirSync(dumpDir(bucket), { recursive: true });
    fs.writeFileSync(path.join(dumpDir(bucket), name), content);
  };
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);

  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
      });
    });

  beforeAll(async () => {
    if (rclone !== undefined) {
      createdTools = { dir: !fs.existsSync(path.dirname(RCLONE)), link: true };
      fs.mkdirSync(path.dirname(RCLONE), { recursive: true });
      // A link left dangling by an earlier run that was killed is replaced.
      if (fs.lstatSync(RCLONE, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(RCLONE);
      fs.symlinkSync(rclone, RCLONE);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "backup-scripts-"));
    if (user.uid !== undefined) fs.chownSync(tmp, user.uid, user.gid);
    await checked("mkdir", [path.join(tmp, "home"), path.join(tmp, "buckets")], baseEnv());
    port = await freePort();

    const data = path.join(tmp, "data");
    await checked(
      path.join(pgBin, "initdb"),
      ["--pgdata", data, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
      baseEnv(),
    );
    const key = path.join(tmp, "server.key");
    const cert = path.join(tmp, "server.crt");
    await checked(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-days",
        "2",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      baseEnv(),
    );
    fs.chmodSync(key, 0o600);
    // TCP on 127.0.0.1 only: the superuser trusted, as in the verification pod; everyone else by password
    // over TLS, as RDS (rds.force_ssl) admits the backup job.
    fs.writeFileSync(path.join(data, "pg_hba.conf"), "host all postgres 127.0.0.1/32 trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n");
    fs.appendFileSync(
      path.join(data, "postgresql.conf"),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        "ssl = on",
        `ssl_cert_file = '${cert}'`,
        `ssl_key_file = '${key}'`,
        "fsync = off",
        "full_page_writes = off",
        "synchronous_commit = off",
        "",
      ].join("\n"),
    );
    const log = fs.openSync(path.join(tmp, "server.log"), "a");
    server = spawn(path.join(pgBin, "postgres"), ["-D", data], { env: baseEnv(), cwd: tmp, stdio: ["ignore", log, log], ...user });
    fs.closeSync(log);
    const started = Date.now();
    for (;;) {
      if (server.exitCode !== null)
        throw new Error(`postgres exited ${server.exitCode}:\n${fs.readFileSync(path.join(tmp, "server.log"), "utf8")}`);
      if (
        (await run(path.join(pgBin, "pg_isready"), ["--host=127.0.0.1", `--port=${port}`, "--quiet"], baseEnv(), { asUser: false }))
          .status === 0
      )
        break;
      if (Date.now() - started > 15_000)
        throw new Error(`postgres not ready after 15 s:\n${fs.readFileSync(path.join(tmp, "server.log"), "utf8")}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    await query("postgres", `create role app_owner login password '${SOURCE_PASSWORD}'`);
    await query("postgres", "create database app owner app_owner");
    // Seeded as its owner, over TLS with the password: tables across two schemas with keys, an identity,
    // a serial, an index, a view, a materialized view and a large object, enough rows for several blocks.
    await checked(
      path.join(pgBin, "psql"),
      [
        "--no-psqlrc",
        "--set=ON_ERROR_STOP=1",
        "--quiet",
        `--command=
          create schema billing;
          create table customers (id bigint generated always as identity primary key, email text not null unique, created_at timestamptz not null default now());
          create table orders (id bigserial primary key, customer_id bigint not null references customers (id), total numeric(12, 2) not null, note text);
          create index orders_customer_idx on orders (customer_id);
          create table billing.invoices (id int primary key, order_id bigint not null references orders (id), payload jsonb not null);
          insert into customers (email) select format('user%s@example.com', g) from generate_series(1, 500) g;
          insert into orders (customer_id, total, note) select 1 + g % 500, g * 1.25, repeat(md5(g::text), g % 8) from generate_series(1, 3000) g;
          insert into billing.invoices select g, g, jsonb_build_object('n', g, 'lines', g % 7) from generate_series(1, 200) g;
          create view big_orders as select * from orders where total > 1000;
          create materialized view billing.revenue as select customer_id, sum(total) as total from orders group by customer_id;
          select lo_from_bytea(0, 'a large object'::bytea);`,
      ],
      backupEnv("unused"),
      { asUser: false },
    );
  }, 60_000);

  afterAll(async () => {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      server.kill("SIGINT"); // fast shutdown
      const timer = setTimeout(() => server!.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
    if (createdTools.link) fs.rmSync(RCLONE, { force: true });
    if (createdTools.dir) fs.rmdirSync(path.dirname(RCLONE));
  }, 30_000);

  // Each verification pod starts with an empty server: drop what an earlier case restored.
  beforeEach(async () => {
    await query("postgres", "drop database if exists restored");
  });

  describe("backup then restore", () => {
    test("GIVEN the source database WHEN backed up and verified THEN the dump and its marker are in the bucket, verification passes, and `restored` equals `app`", async () => {
      const before = new Date();
      const dump = await backUp("roundtrip");
      expect(listDumps("roundtrip")).toEqual([dump, `${dump}.complete`]);
      const stamp = dump.replace(/\.dump$/, "");
      expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/);
      expect(stamp >= stampOf(before)).toBe(true);
      expect(fs.readFileSync(path.join(dumpDir("roundtrip"), `${dump}.complete`), "utf8")).toBe(`${stamp}\n`);
      expect(
        fs
          .readFileSync(path.join(dumpDir("roundtrip"), dump))
          .subarray(0, 5)
          .toString(),
      ).toBe("PGDMP");

      const r = await runScript(RESTORE_SCRIPT, restoreEnv("roundtrip"));
      const tables = await tableCount("app");
      expect(tables).toBe(4);
      expect(r).toMatchObject({
        status: 0,
        stdout: expect.stringContaining(`restore verification passed: ${dump} restored with ${tables} tables`) as unknown,
      });
      expect(r.stdout).toContain(`restoring ${dump} (0 hours old)`);
      expect(await inventory("restored")).toEqual(await inventory("app"));
    });
  });

  describe("the newest complete dump", () => {
    test("GIVEN two complete dumps and a newer one cut off before its marker WHEN verified THEN the newer complete one is restored", async () => {
      const newer = restamp("cutoff", await backUp("cutoff"), hoursAgo(2));
      const whole = fs.readFileSync(path.join(dumpDir("cutoff"), newer));
      const older = `${stampOf(hoursAgo(5))}.dump`;
      put("cutoff", older, whole);
      put("cutoff", `${older}.complete`, `${older.replace(/\.dump$/, "")}\n`);
      const cutOff = `${stampOf(hoursAgo(1))}.dump`;
      put("cutoff", cutOff, whole.subarray(0, Math.floor(whole.length / 2)));

      const r = await runScript(RESTORE_SCRIPT, restoreEnv("cutoff"));
      expect(r).toMatchObject({
        status: 0,
        stdout: expect.stringContaining(`restore verification passed: ${newer} restored with 4 tables`) as unknown,
      });
      expect(r.stdout).toContain(`restoring ${newer} (2 hours old)`);
      expect(await inventory("restored")).toEqual(await inventory("app"));
    });
  });

  describe("a failing pg_dump", () => {
    test.each([
      { name: "a wrong password", overrides: { PGPASSWORD: "wrong" }, reason: /password authentication failed for user "app_owner"/ },
      { name: "a database that does not exist", overrides: { PGDATABASE: "missing" }, reason: /database "missing" does not exist/ },
    ])("GIVEN $name WHEN the backup runs THEN it exits non-zero and writes no .complete marker", async ({ overrides, reason }) => {
      const bucket = `failing-${overrides.PGDATABASE ?? "app"}`;
      const r = await runScript(BACKUP_SCRIPT, backupEnv(bucket, overrides));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(reason);
      expect(r.stdout).not.toContain("complete");
      const db = overrides.PGDATABASE ?? "app";
      const dir = path.join(bucketPath(bucket), "postgres", db);
      const written = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      expect(written.filter((f) => f.endsWith(".complete"))).toEqual([]);
    });
  });

  describe("a stale dump", () => {
    test("GIVEN only a dump taken 3 days ago WHEN verified THEN it fails on the dump's age before restoring anything", async () => {
      const old = restamp("stale", await backUp("stale"), hoursAgo(72));
      const r = await runScript(RESTORE_SCRIPT, restoreEnv("stale"));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`restore verification FAILED: newest dump ${old} is 72 hours old (limit ${DEFAULT_MAX_DUMP_AGE_HOURS})`);
      expect(await databaseExists("restored")).toBe(false);
    });
  });

  describe("no complete dump", () => {
    test.each([
      { name: "an empty bucket", bucket: "empty", fill: () => fs.mkdirSync(bucketPath("empty"), { recursive: true }) },
      {
        name: "a bucket holding only a dump without its marker",
        bucket: "unmarked",
        fill: () => put("unmarked", `${stampOf(hoursAgo(1))}.dump`, "PGDMP"),
      },
    ])("GIVEN $name WHEN verified THEN it fails with no complete dump", async ({ bucket, fill }) => {
      fill();
      const r = await runScript(RESTORE_SCRIPT, restoreEnv(bucket));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`restore verification FAILED: no complete dump under backup:${bucketPath(bucket)}/postgres/app`);
      expect(await databaseExists("restored")).toBe(false);
    });
  });

  describe("a bucket it may not list", () => {
    test("GIVEN a dump directory the verifier cannot read WHEN verified THEN it fails naming the listing", async () => {
      await backUp("unreadable");
      fs.chmodSync(dumpDir("unreadable"), 0o000);
      try {
        const r = await runScript(RESTORE_SCRIPT, restoreEnv("unreadable"));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`restore verification FAILED: cannot list backup:${bucketPath("unreadable")}/postgres/app`);
      } finally {
        fs.chmodSync(dumpDir("unreadable"), 0o755);
      }
    });
  });

  describe("a corrupt complete dump", () => {
    test.each([
      { name: "garbage bytes", corrupt: () => Buffer.from("this is not a pg_dump archive\n".repeat(64)) },
      { name: "a real dump cut in half", corrupt: (whole: Buffer) => whole.subarray(0, Math.floor(whole.length / 2)) },
    ])("GIVEN $name with a .complete marker WHEN verified THEN pg_restore fails it", async ({ name, corrupt }) => {
      const bucket = `corrupt-${name.replace(/\W+/g, "-")}`;
      const dump = await backUp(bucket);
      const file = path.join(dumpDir(bucket), dump);
      fs.writeFileSync(file, corrupt(fs.readFileSync(file)));
      const r = await runScript(RESTORE_SCRIPT, restoreEnv(bucket));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`restore verification FAILED: pg_restore of ${dump} failed`);
    });
  });
}
