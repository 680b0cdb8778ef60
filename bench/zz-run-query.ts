import { run } from './query.bench';
export default async function main() {
  const rows = await run();
  for (const r of rows) console.log(`| ${r.name} | ${r.value.toFixed(2)} ${r.unit} | ${r.baselineName} | ${r.baselineValue.toFixed(2)} | ${(r.value / r.baselineValue).toFixed(3)} | ${r.note ?? ''} |`);
}
