// Where a review's CPU time goes (`npm run review -- --timings`, and `npm run bench` for each stack): user +
// system time of this process, all threads, phase by phase. The first phase is everything before the timer
// was made: Node's start, the TypeScript hook, the CLI and the review's modules. A child process is not
// counted: with `--against <ref>` the other side is reviewed in one, so its phase shows only the waiting.

export interface Phase {
  name: string;
  cpuMs: number;
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

export class PhaseTimer {
  readonly phases: Phase[];
  private last: NodeJS.CpuUsage;

  constructor(first = "start-up") {
    this.last = process.cpuUsage();
    this.phases = [{ name: first, cpuMs: cpuMs(this.last) }];
  }

  /** Ends a phase: the CPU time since the previous one ended. */
  mark(name: string): void {
    const now = process.cpuUsage();
    this.phases.push({ name, cpuMs: cpuMs(process.cpuUsage(this.last)) });
    this.last = now;
  }

  /** `CPU by phase: start-up 1.52 s, program 0.96 s, ... (total 3.34 s)` */
  line(): string {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const total = this.phases.reduce((sum, p) => sum + p.cpuMs, 0);
    return `CPU by phase: ${this.phases.map((p) => `${p.name} ${seconds(p.cpuMs)}`).join(", ")} (total ${seconds(total)})`;
  }
}
