/** The analyzer inside `edusentry start`: tails the shared store, announces alerts on the bus. */
import { AnalyzerService } from '@edusentry/analyzer';
import type { Service } from '../service';

export const service: Service = {
  name: 'analyzer',
  order: 30,
  async start(ctx) {
    const analyzer = new AnalyzerService({
      store: ctx.eventStore,
      config: ctx.config.analyzer,
      dataDir: ctx.dataDir,
      log: ctx.log.child({ service: 'analyzer' }),
      onAlert: (alert) => ctx.bus.emit('alert', alert),
    });
    analyzer.start();
    const set = analyzer.ruleSet;
    return {
      info: `${set.rules.length} sigma rules, ${set.correlations.length} correlations active`,
      stop: () => analyzer.stop(),
    };
  },
};
