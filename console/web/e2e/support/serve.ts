/** Preview: `pnpm preview:server` serves dist/ with sample data on :8080 (log in as monitor / Edu-Sentry-2026!). */
import { startConsole } from './console';
import { PASSWORD, SCHOOLS, alertDoc } from './seed';

async function main() {
  const c = await startConsole({ port: Number(process.env.PORT ?? 8080) });
  process.stdout.write(`console on ${c.url} — users monitor/officer/sysadmin/auditadmin, password ${PASSWORD}\n`);
  let n = 0;
  // A new alert every 20 s so the live feed moves.
  setInterval(() => {
    n++;
    c.pushAlert(alertDoc(5000 + n, SCHOOLS[n % SCHOOLS.length].id, Date.now())).catch((e) =>
      process.stderr.write(`${e}\n`),
    );
  }, 20_000);
  const stop = () => c.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
