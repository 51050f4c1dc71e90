import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// Every relative link and #anchor of README.md and docs/*.md resolves: a moved section or a renamed heading
// fails here, naming the file, the line and the link.

const ROOT = join(__dirname, "..");

/** Pages other branches add (linked already); each is checked like any other once it exists. */
export const AWAITED_PAGES = [
    "docs/local-gateway.md",
    "docs/input-safety.md",
    "docs/errors.md",
    "docs/client-traffic.md",
    "docs/load-balancing.md",
    "docs/hostnames.md",
    "docs/guardrails.md",
    "docs/budgets-advanced.md",
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const counts = new Map<string, number>();
    let fence = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*```/.test(line)) fence = !fence;
        const m = !fence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!m) continue;
        const base = m[1]
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const n = counts.get(base) ?? 0;
        counts.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** Every link outside code: `[text](target)`, with its line. */
export function linksOf(markdown: string): { line: number; target: string }[] {
    const links: { line: number; target: string }[] = [];
    let fence = false;
    markdown.split("\n").forEach((line, i) => {
        if (/^\s*```/.test(line)) fence = !fence;
        if (fence) return;
        const prose = line.replace(/`[^`]*`/g, "");
        for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ line: i + 1, target: m[1] });
    });
    return links;
}

const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("documentation links", () => {
    it("README.md is short enough to read first", () => {
        const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length;
        assert.ok(lines < 400, `README.md has ${lines} lines`);
    });

    it("every doc starts with its title and what the reader can do with it", () => {
        for (const page of pages.filter((p) => p.startsWith("docs/"))) {
            const [title, blank, intro] = readFileSync(join(ROOT, page), "utf8").split("\n");
            assert.match(title, /^# \S/, page);
            assert.equal(blank, "", page);
            assert.ok(intro.length > 20 && !intro.startsWith("#") && !intro.startsWith("```"), `${page}: starts with "${intro}"`);
        }
    });

    it("every relative link and #anchor resolves", () => {
        const broken: string[] = [];
        const awaited: string[] = [];
        for (const page of pages) {
            const text = readFileSync(join(ROOT, page), "utf8");
            for (const { line, target } of linksOf(text)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
                const [path, anchor] = target.split("#", 2);
                const file = path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
                const name = relative(ROOT, file);
                const at = `${page}:${line}: ${target}`;
                if (!existsSync(file)) {
                    if (AWAITED_PAGES.includes(name)) awaited.push(`${at} (${name} comes with another branch)`);
                    else broken.push(`${at}: ${name} does not exist`);
                    continue;
                }
                if (anchor === undefined || anchor === "") continue;
                if (statSync(file).isDirectory() || !file.endsWith(".md")) {
                    broken.push(`${at}: an anchor into ${name}, which is not a Markdown page`);
                } else if (!anchorsOf(readFileSync(file, "utf8")).has(anchor)) {
                    broken.push(`${at}: ${name} has no heading #${anchor}`);
                }
            }
        }
        if (awaited.length > 0) process.stdout.write(`\n  links to pages not in this branch yet:\n${awaited.map((a) => `    ${a}\n`).join("")}`);
        assert.deepEqual(broken, []);
    });

    it("the anchor and link readers follow GitHub: punctuation dropped, repeats numbered, code skipped", () => {
        assert.deepEqual([...anchorsOf("# `ai-gateway:platform`\n## A 429, step by step\n## A 429, step by step\n```\n# not a heading\n```\n")], [
            "ai-gatewayplatform",
            "a-429-step-by-step",
            "a-429-step-by-step-1",
        ]);
        assert.deepEqual(linksOf("see [a](docs/a.md#x) and `[b](c.md)`\n```\n[d](e.md)\n```\n"), [{ line: 1, target: "docs/a.md#x" }]);
    });
});
