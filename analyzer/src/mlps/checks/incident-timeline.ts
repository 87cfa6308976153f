/** Incidents with complete timelines — needs the console's incidents; without them `na`. */
import { na, type EvidenceCheck } from './check';

export const incidentTimeline: EvidenceCheck = {
  id: 'check.incident-timeline',
  title: '事件处置时间线',
  async run() {
    return na('事件处置数据源尚未接入证据检查（控制台事件表）');
  },
};
