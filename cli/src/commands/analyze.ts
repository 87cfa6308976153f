/** `edusentry analyze`: the analyzer service alone, until Ctrl-C. */
import { AnalyzerService } from '@edusentry/analyzer';
import type { Command } from 'commander';
import { leaf } from '../command';

export function register(program: Command): void {
  leaf<{ rules?: string[] }>(
    program,
    'analyze',
    'evaluate Sigma rules on new events in the store and write alerts (until Ctrl-C)',
    async (ctx, _a, opts) => {
      const store = await ctx.store();
      await store.init();
      const analyzer = new AnalyzerService({
        store,
        config: ctx.config.analyzer,
        dataDir: ctx.dataDir,
        log: ctx.log,
        rules: opts.rules,
        onAlert: (a) =>
          process.stdout.write(
            `${a['@timestamp']} ${a.rule.level ?? ''} ${a.rule.name} [${a.organization?.id ?? '-'}] ${a.event.id}\n`,
          ),
      });
      const set = analyzer.ruleSet;
      process.stderr.write(
        `analyzer: ${set.rules.length} rules, ${set.correlations.length} correlations active, ${set.inactive.length} inactive, ${set.problems.length} rejected; store ${store.kind}; Ctrl-C to stop\n`,
      );
      analyzer.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await analyzer.stop();
      process.stderr.write(`analyzer stopped: ${analyzer.stats.events} events, ${analyzer.stats.alerts} alerts\n`);
    },
  ).option('--rules <paths...>', 'rule files or folders (default: configured, else the shipped rules)');
}
