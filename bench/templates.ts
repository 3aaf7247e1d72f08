// The templates part of `npm run bench -- --only templates`, in this process: a watched folder with an MJML
// template of typical size (5-20 KB); each run saves a new version and times the save until the re-rendered HTML
// is served (fs.watch, the debounce, the MJML compile and the preview document). The target is issue 11's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateService } from '../src-main/templates/service.js';
import type { Target } from './report.js';
import { percentile } from './stats.js';

export interface TemplatesBenchResult {
  runs: number;
  templateBytes: number;
  saveToRenderP50Ms: number;
  saveToRenderP95Ms: number;
  compileP50Ms: number;
}

/** A newsletter in MJML of about `bytes`: a header, product sections with a button each, a footer. */
export function newsletter(bytes: number, marker: string): string {
  const sections: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes - 600; i++) {
    const s =
      `    <mj-section background-color="#ffffff" padding="12px">\n      <mj-column width="40%">\n` +
      `        <mj-image src="https://shop.example/p/${i}.png" alt="Product ${i}" width="120px" />\n      </mj-column>\n` +
      `      <mj-column width="60%">\n        <mj-text font-size="16px" color="#222">Product number ${i}</mj-text>\n` +
      `        <mj-text color="#555">A fine product with a description long enough to wrap on a phone.</mj-text>\n` +
      `        <mj-button href="https://shop.example/p/${i}" background-color="#1a73e8">Buy for $${i}.00</mj-button>\n` +
      `      </mj-column>\n    </mj-section>\n`;
    sections.push(s);
    size += s.length;
  }
  return (
    `<mjml>\n  <mj-head><mj-title>Weekly picks</mj-title><mj-attributes><mj-all font-family="Arial" /></mj-attributes></mj-head>\n` +
    `  <mj-body background-color="#f4f4f4">\n    <mj-section><mj-column><mj-text font-size="24px">${marker}</mj-text></mj-column></mj-section>\n` +
    `${sections.join('')}  </mj-body>\n</mjml>\n`
  );
}

export async function runTemplatesBench(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<TemplatesBenchResult> {
  const { log } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-bench-templates-'));
  let changed: ((paths: string[]) => void) | null = null;
  const service = new TemplateService({
    keyHeader: () => 'X-Mailwright-Template',
    onChanged: (paths) => changed?.(paths),
    onProblem: (text) => log(`  problem: ${text}`),
  });
  const file = path.join(dir, 'weekly.mjml');
  try {
    fs.writeFileSync(file, newsletter(12 * 1024, 'Version 0'));
    const templateBytes = fs.statSync(file).size;
    service.configure(dir);
    await service.render('weekly.mjml'); // the cold compile (module load, JIT) is not what is measured
    const runs = options.quick ? 5 : 20;
    const times: number[] = [];
    const compiles: number[] = [];
    for (let i = 1; i <= runs; i++) {
      const marker = `Version ${i}`;
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no re-render of ${marker} within 5 s`)), 5000);
        changed = (paths) => {
          if (!paths.includes('weekly.mjml')) return;
          clearTimeout(timer);
          resolve();
        };
      });
      const t0 = performance.now();
      fs.writeFileSync(file, newsletter(12 * 1024, marker));
      await seen;
      const render = await service.render('weekly.mjml');
      const elapsed = performance.now() - t0;
      if (!render.html?.includes(marker)) throw new Error(`the render after saving ${marker} does not show it`);
      times.push(elapsed);
      compiles.push(render.renderMs ?? 0);
    }
    const result: TemplatesBenchResult = {
      runs,
      templateBytes,
      saveToRenderP50Ms: percentile(times, 50),
      saveToRenderP95Ms: percentile(times, 95),
      compileP50Ms: percentile(compiles, 50),
    };
    log(
      `  ${Math.round(templateBytes / 1024)} KB MJML: save to re-rendered HTML p50 ${result.saveToRenderP50Ms.toFixed(0)} ms, ` +
        `p95 ${result.saveToRenderP95Ms.toFixed(0)} ms over ${runs} saves (compile and preview p50 ${result.compileP50Ms.toFixed(0)} ms)`,
    );
    return result;
  } finally {
    service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function templatesTargets(r: TemplatesBenchResult): Target[] {
  return [
    {
      name: `template re-render after a save (${Math.round(r.templateBytes / 1024)} KB MJML)`,
      detail: `p50 ${r.saveToRenderP50Ms.toFixed(0)} ms, p95 ${r.saveToRenderP95Ms.toFixed(0)} ms (target p50 < 300 ms)`,
      pass: r.saveToRenderP50Ms < 300,
    },
  ];
}
