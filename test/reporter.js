// Mocha's dot reporter plus one closing line in the plain "N passed, N failed" form CI reads.
"use strict";
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Dot {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = this.stats;
            process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}\n`);
        });
    }
}

module.exports = SummaryReporter;
