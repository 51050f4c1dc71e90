// Mocha's dot reporter plus one closing line in the plain "N passed, N failed" form CI reads. It also keeps how long
// each spec file's tests and hooks took in .cache/test-durations.json, which `npm test` (scripts/test.ts) reads to
// start the longest files first.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_HOOK_END, EVENT_RUN_END, EVENT_TEST_END } = Mocha.Runner.constants;
const DURATIONS = path.join(__dirname, "..", ".cache", "test-durations.json");

/** Milliseconds per spec file (relative to the repository) of this run, added to what earlier runs recorded. */
function saveDurations(durations) {
    let kept = {};
    try {
        kept = JSON.parse(fs.readFileSync(DURATIONS, "utf8"));
    } catch {
        // none yet, or unreadable: start over
    }
    const merged = { ...kept, ...Object.fromEntries([...durations].map(([file, ms]) => [file, Math.round(ms)])) };
    try {
        fs.mkdirSync(path.dirname(DURATIONS), { recursive: true });
        const temporary = `${DURATIONS}.${process.pid}`;
        fs.writeFileSync(temporary, `${JSON.stringify(merged, Object.keys(merged).sort(), 1)}\n`);
        fs.renameSync(temporary, DURATIONS);
    } catch (e) {
        process.stderr.write(`warning: could not keep the spec files' durations in ${DURATIONS}: ${e.message}; the next run starts them in name order\n`);
    }
}

class SummaryReporter extends Mocha.reporters.Dot {
    constructor(runner, options) {
        super(runner, options);
        const durations = new Map();
        const add = (runnable) => {
            if (typeof runnable.file !== "string" || typeof runnable.duration !== "number") return;
            const file = path.relative(path.join(__dirname, ".."), runnable.file);
            durations.set(file, (durations.get(file) ?? 0) + runnable.duration);
        };
        runner.on(EVENT_TEST_END, add);
        runner.on(EVENT_HOOK_END, add);
        runner.once(EVENT_RUN_END, () => {
            const { passes, failures, pending } = this.stats;
            saveDurations(durations);
            process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}\n`);
        });
    }
}

module.exports = SummaryReporter;
