import { join } from "node:path";
import { CLAUDE_CODE_SESSIONS, recordClaudeCode } from "./record-claude-code.js";
import { recordCodex } from "./record-codex.js";
import { recordGoose } from "./record-goose.js";
import { recordOpencode } from "./record-opencode.js";
import { recordPi } from "./record-pi.js";

/**
 * Re-records every client session into test/fixtures: `npm run record:clients`, or name what to record
 * (`npm run record:clients -- pi agent-session`). test/fixtures/claude-code/README.md says what each shows.
 */
const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures");
const asked = process.argv.slice(2);
const wanted = (name: string) => asked.length === 0 || asked.includes(name);

const sessions = CLAUDE_CODE_SESSIONS.filter(wanted);
if (sessions.length > 0) await recordClaudeCode(FIXTURES, sessions);
if (wanted("pi")) await recordPi(FIXTURES);
if (wanted("opencode")) await recordOpencode(FIXTURES);
if (wanted("goose")) await recordGoose(FIXTURES);
if (wanted("codex")) await recordCodex(FIXTURES);
