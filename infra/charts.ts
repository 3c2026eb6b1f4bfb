// Every archive of charts/ the program can install, on either cloud: what `npm run charts` checks the lock
// against. The program itself checks each archive as it installs it (components/charts.ts).
import type { ArchivePin } from "../components/charts";
import { chartPin } from "../components/charts";
import { LB_CONTROLLER_CHART } from "../components/aws/eks-lb-controller";
import { KUBERNETES_ARCHIVES } from "../components/kubernetes/charts";

export const CHARTS: readonly ArchivePin[] = [...KUBERNETES_ARCHIVES, chartPin(LB_CONTROLLER_CHART)];
