import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfig } from "../lib/config.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { graphql } from "./support/graphql-client.ts";
import { embeddedPortEnv } from "./support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "./support/processes.ts";

/**
 * The browser clients as a person uses them: `npm start` (start.ts, on a small embedded
 * catalogue) serves the web app at / and the playground at /playground, and headless
 * Chromium drives them.
 */
describe("browser clients against npm start", { skip: chromiumAvailable ? false : "no Chromium (apt-get install chromium)" }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "shelfgraph-browser-"));
  const jwtSecret = "browser-test-secret-that-is-long-enough-0123456789";
  let service: ServiceProcess;
  let browser: Browser;
  let origin: string;
  let apiUrl: string;

  before(async () => {
    const ports = await embeddedPortEnv();
    origin = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
    apiUrl = `${origin}/graphql`;
    service = startServiceProcess("start.ts", {
      NODE_ENV: "development",
      JWT_SECRET: jwtSecret,
      ...ports,
      PGLITE_DATA_DIR: dataDir,
      SEED_BOOKS: "300",
      SEED_USERS: "200",
      SEED_RANDOM_SEED: "11",
    });
    await service.waitForLine(logMessage("Shelfgraph is ready"), 240_000);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** SCREENSHOT_DIR keeps the pictures (the README's come from here); otherwise they go with the test's data. */
  const screenshot = (name: string) => join(process.env.SCREENSHOT_DIR ?? dataDir, name);

  const tokenFor = (userId: number, role: "READER" | "ADMIN" = "READER") =>
    signAccessToken(loadConfig({ JWT_SECRET: jwtSecret }), { userId, role }, "10m");

  /** Views of one book by several seeded readers: enough to move it up today's trending list. */
  async function burstOfViews(bookId: string): Promise<void> {
    for (let userId = 1; userId <= 8; userId++) {
      const result = await graphql(apiUrl, `mutation($id: ID!) { recordBookView(bookId: $id) }`, {
        variables: { id: bookId },
        token: await tokenFor(userId),
      });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    }
  }

  async function recommendedIds(page: Page): Promise<string[]> {
    await page.goto(`${origin}/recommendations`);
    const list = page.getByTestId("recommendations");
    await list.locator("li").first().waitFor();
    return list.locator("li").evaluateAll((items) => items.map((item) => item.getAttribute("data-book-id") ?? ""));
  }

  it("signs up, sees a book with similar titles and personal scores, rates it and gets new recommendations, and sees trending live", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await page.goto(`${origin}/signup`);
      await page.getByLabel("Name").fill("Ada Reader");
      await page.getByLabel("Email").fill(`ada-${Date.now()}@example.com`);
      await page.getByLabel("Password").fill("correct horse battery staple");
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.waitForURL(`${origin}/`);

      // A deep link, as a shared URL would arrive.
      await page.goto(`${origin}/books/1`);
      const bookPage = page.getByTestId("book-page");
      await bookPage.locator("h1").waitFor();
      const similar = page.getByTestId("similar-books").locator("li");
      await similar.first().waitFor();
      assert.ok((await similar.count()) >= 3, "similar titles are listed");
      const scores = page.getByTestId("similar-books").getByTestId("personal-score");
      await scores.first().waitFor();
      assert.ok((await scores.count()) >= 3, "a signed-in reader sees a personal score on similar books");
      await page.screenshot({ path: screenshot("book-page.png") });

      const before = await recommendedIds(page);
      assert.ok(before.length > 0);

      // Rate a book the reader was not recommended: the fold-in moves their taste.
      const similarId = (await page.goto(`${origin}/books/1`), await similar.first().locator("a").getAttribute("href"))!.split("/").pop()!;
      const target = before.includes(similarId) ? "1" : similarId;
      await page.goto(`${origin}/books/${target}`);
      await page.getByRole("button", { name: "Rate 5 stars" }).click();
      await page.getByTestId("rated").waitFor();

      let afterRating = before;
      for (let attempt = 0; attempt < 20 && afterRating.join() === before.join(); attempt++) {
        await page.waitForTimeout(250);
        afterRating = await recommendedIds(page);
      }
      assert.notDeepEqual(afterRating, before, "the recommendations change after a rating");

      // The trending panel is fed by the subscription: a burst of views pushes a new ranking.
      await page.goto(`${origin}/`);
      await page.getByTestId("trending-list").waitFor({ state: "attached" });
      await page.waitForTimeout(500); // the subscription's handshake
      await burstOfViews(afterRating[0]!);
      await page.getByTestId("trending-live").waitFor({ timeout: 20_000 });
      assert.ok((await page.getByTestId("trending-list").locator("li").count()) > 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it("serves the partner playground with no network beyond the gateway, runs a query with an API key and shows a subscription result", async () => {
    const admin = await tokenFor(1, "ADMIN");
    const created = await graphql(
      apiUrl,
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes } } }`,
      { token: admin, variables: { input: { name: "Playground partner", scopes: ["introspection"], rateLimitPerMinute: 600 } } },
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const apiKey = created.data!.createApiKey.key as string;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const outside: string[] = [];
    const keyed: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== origin && url.protocol !== "data:" && url.protocol !== "blob:") {
        outside.push(url.toString());
        return route.abort();
      }
      if (route.request().headers()["x-api-key"] === apiKey) keyed.push(url.pathname);
      return route.continue();
    });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/playground`);
      await page.getByPlaceholder(/x-api-key/).fill(apiKey);
      const execute = page.locator(".graphiql-execute-button");
      await execute.waitFor();
      // The first example tab is the catalogue lookup.
      await page.waitForTimeout(1000); // introspection with the key
      await execute.click();
      const result = page.locator(".graphiql-response");
      await result.getByText('"title"').first().waitFor({ timeout: 20_000 });
      assert.ok(keyed.includes("/graphql"), "requests carry the key as x-api-key");

      // The live trending tab: a subscription over graphql-ws through the same gateway.
      await page.locator(".graphiql-tab").nth(3).click();
      await execute.click();
      await page.waitForTimeout(1000);
      await burstOfViews("2");
      // A pushed event's data, not an error that merely names the field.
      await result.getByText('"changedAt"').first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: screenshot("playground.png") });
      assert.deepEqual(outside, [], "the playground loads nothing from outside the gateway");
    } finally {
      await context.close();
    }
  });
});
