// docs/transcripts.md is what the bot says today: the conversations are run
// again (test/docs/transcripts.ts, into a temporary file) and compared with
// the committed file. When the bot's words change on purpose, rewrite it
// with `npx tsx test/docs/transcripts.ts` and commit it with the change.
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { renderTranscripts, TRANSCRIPTS_PATH } from "./transcripts.ts";

it("docs/transcripts.md is what test/docs/transcripts.ts writes now", async () => {
  const fresh = await renderTranscripts();
  const committed = await readFile(TRANSCRIPTS_PATH, "utf8").catch(() => "");
  if (fresh === committed) return;
  const freshPath = path.join(await mkdtemp(path.join(tmpdir(), "clb-transcripts-")), "transcripts.md");
  await writeFile(freshPath, fresh);
  const a = committed.split("\n");
  const b = fresh.split("\n");
  let line = 0;
  while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
  expect.fail(
    [
      "docs/transcripts.md is out of date: the bot now says something else.",
      `First difference at line ${line + 1}:`,
      `  committed: ${a[line] ?? "(end of file)"}`,
      `  now:       ${b[line] ?? "(end of file)"}`,
      `The fresh file: ${freshPath} (diff docs/transcripts.md ${freshPath}).`,
      "Rewrite it with `npx tsx test/docs/transcripts.ts` and commit it with the change that altered the conversation.",
    ].join("\n"),
  );
});
