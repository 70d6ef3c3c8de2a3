import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig, servicePort, type ServiceName } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { HEAP_LIMIT_MB, heapNodeFlags, heapNodeOptions, heapReservationMb, type HeapLimitedService } from "../lib/server/heap-limits.ts";
import { MALLOC_ENV } from "../lib/server/malloc-settings.ts";
import { registry, serveMetrics } from "../lib/metrics/index.ts";
import { STREAM_ROLES } from "../lib/stream/roles/role.ts";

/**
 * The deployment files against the code: every process they start exists in the
 * build, listens where its configuration says, is health-checked on the endpoints
 * the code serves, and gets only environment variables lib/config.ts knows.
 * (No Docker engine or cluster here: these parse the files. CI runs
 * `docker compose config` / promtool where they are installed.)
 */

const defaults = loadConfig({});
const packageScripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
/** The compiled entry of the stream consumers, as `npm run start:stream:prod` runs it. */
const STREAM_ENTRY = packageScripts["start:stream:prod"]!.split(" ").find((part) => part.startsWith("dist/"))!;
/** The roles an autoscaler may multiply: the retrain trigger counts signals in its process, so it stays one replica. */
const SCALABLE_ROLES = STREAM_ROLES.filter((role) => role !== "retrain");
const APP_SERVICES: ServiceName[] = ["gateway", "users", "books", "recommendations", "experiments"];

/** The TypeScript source a compiled dist/ entry is built from. */
const sourceOf = (distPath: string) => distPath.replace(/^dist\//, "").replace(/\.js$/, ".ts");

/** Node's and the C library's own settings, which a deployment may set beside ours. */
const NODE_SETTINGS = new Set(["NODE_OPTIONS", ...Object.values(MALLOC_ENV).flatMap((env) => Object.keys(env ?? {}))]);

/** Every variable in `env` is one lib/config.ts reads (it survives validation: unknown keys are dropped), or one of Node's. */
function assertKnownSettings(env: Record<string, string>, where: string): void {
  const loaded = loadConfig({ JWT_SECRET: "j".repeat(40), INTERNAL_SECRET: "i".repeat(40), ...env }) as Record<string, unknown>;
  for (const key of Object.keys(env)) assert.ok(key in loaded || NODE_SETTINGS.has(key), `${where}: ${key} is not a setting of lib/config.ts`);
}

/** A service runs with exactly the malloc settings lib/server/malloc-settings.ts gives it (none where it gives none). */
function assertMallocSettings(env: Record<string, string>, service: string, where: string): void {
  const expected = MALLOC_ENV[service as HeapLimitedService] ?? {};
  const actual = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith("MALLOC_")));
  assert.deepEqual(actual, expected, `${where} runs with its malloc settings`);
}

/** ${VAR:?message} and ${VAR:-default} as docker compose expands them, with example values for the required ones. */
const expand = (value: unknown) =>
  String(value)
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_m, _name, fallback) => fallback)
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name) => (/SECRET/.test(name) ? `${name.toLowerCase()}-${"x".repeat(40)}` : "example"));

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };
  const { services } = compose;

  it("runs the whole platform: databases, migration, subgraphs, gateway, trainer, Prometheus and Grafana", () => {
    for (const name of ["postgres", "redis", "migrate", ...APP_SERVICES, "trainer", "stream", "prometheus", "grafana"]) assert.ok(services[name], `service ${name}`);
    assert.equal(services.migrate.restart, "no", "migrate is a one-shot job");
    for (const name of [...APP_SERVICES, "trainer", "stream"]) {
      assert.equal(services[name].depends_on.migrate.condition, "service_completed_successfully", `${name} waits for the migrations`);
    }
  });

  it("starts compiled entry points that the build produces, under tini in a non-root multi-stage image", () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const entry = (service.command as string[]).find((part) => part.startsWith("dist/"));
      assert.ok(entry, `${name} runs compiled code`);
      assert.ok(existsSync(sourceOf(entry!)), `${name}: ${entry} is built from ${sourceOf(entry!)}`);
      assert.equal(service.command[0], "node");
    }
    const dockerfile = readFileSync("Dockerfile", "utf8");
    assert.equal((dockerfile.match(/^FROM /gm) ?? []).length, 2, "a build stage and a runtime stage");
    assert.match(dockerfile, /RUN npm run build/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /COPY --from=build \/app\/dist \.\/dist/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    assert.match(dockerfile, /chown -R node:node \/data/, "volumes mounted under /data are the runtime user's");
    for (const service of Object.values(services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const [source, target] = volume.split(":");
        if (source! in compose.volumes && service.build) assert.ok(target!.startsWith("/data/"), `named volume ${source} mounts under /data (owned by node)`);
      }
    }
  });

  it("health-checks every long-running service on the endpoint its code serves, on its configured port", () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.restart === "no") continue;
      assert.ok(service.healthcheck?.test, `${name} has a health check`);
    }
    for (const name of APP_SERVICES) {
      const test = (services[name].healthcheck.test as string[]).join(" ");
      assert.ok(test.includes(`http://localhost:${servicePort(defaults, name)}/health/ready`), `${name} checks readiness on ${servicePort(defaults, name)}: ${test}`);
    }
    assert.ok((services.trainer.healthcheck.test as string[]).join(" ").includes(`localhost:${defaults.METRICS_PORT}/health/live`));
    assert.ok((services.stream.healthcheck.test as string[]).join(" ").includes(`localhost:${defaults.METRICS_PORT}/health/ready`), "the stream consumers report readiness");
    assert.ok((services.stream.command as string[]).includes(STREAM_ENTRY), `the stream service runs ${STREAM_ENTRY} (all roles)`);
    assert.deepEqual(services.gateway.ports, [`${defaults.GATEWAY_PORT}:${defaults.GATEWAY_PORT}`], "only the gateway is published");
  });

  it("passes only settings lib/config.ts knows, and points the gateway at the subgraphs' configured ports", () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const env = Object.fromEntries(Object.entries(service.environment as Record<string, unknown>).map(([key, value]) => [key, expand(value)]));
      assertKnownSettings(env, `compose ${name}`);
      if (name in HEAP_LIMIT_MB) assert.equal(env.NODE_OPTIONS, heapNodeOptions(name as HeapLimitedService), `compose ${name} runs with its heap limit`);
      assertMallocSettings(env, name, `compose ${name}`);
      assert.equal(env.METRICS_PORT, String(defaults.METRICS_PORT));
    }
    for (const name of APP_SERVICES.filter((n) => n !== "gateway")) {
      assert.equal(services.gateway.environment[`${name.toUpperCase()}_URL`], `http://${name}:${servicePort(defaults, name as ServiceName)}/graphql`);
    }
  });

  it("has Prometheus scrape every process's METRICS_PORT with the alert rules, and Grafana provisioned with the dashboard", () => {
    const prometheus = parse(readFileSync("deploy/prometheus/prometheus.yml", "utf8")) as { rule_files: string[]; scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets));
    for (const name of [...APP_SERVICES, "trainer", "stream"]) assert.ok(targets.includes(`${name}:${defaults.METRICS_PORT}`), `scrapes ${name}`);
    assert.deepEqual(prometheus.rule_files, ["/etc/prometheus/alerts.yml"]);
    assert.ok((services.prometheus.volumes as string[]).includes("./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"));
    assert.ok((services.grafana.volumes as string[]).some((volume) => volume.startsWith("./deploy/grafana/dashboards:")));
  });

  it("validates with docker compose config where Docker is installed", { skip: spawnSync("docker", ["compose", "version"]).status === 0 ? false : "no docker here" }, () => {
    const result = spawnSync("docker", ["compose", "config", "--quiet"], { env: { ...process.env, JWT_SECRET: "x".repeat(40) } });
    assert.equal(result.status, 0, String(result.stderr));
  });
});

describe("the embedded process", () => {
  it("runs with its heap limit from npm start, npm run start:prod and the image's default command", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync("Dockerfile", "utf8"))?.[1];
    for (const flag of heapNodeFlags("embedded")) {
      assert.ok(packageScripts.start!.split(" ").includes(flag), `npm start: ${packageScripts.start}`);
      assert.ok(packageScripts["start:prod"]!.split(" ").includes(flag), `npm run start:prod: ${packageScripts["start:prod"]}`);
      assert.ok(cmd && (JSON.parse(cmd) as string[]).includes(flag), `Dockerfile CMD: ${cmd}`);
    }
  });
});

describe("deploy/k8s", () => {
  const files = readdirSync("deploy/k8s").filter((file) => file.endsWith(".yaml"));
  const documents = files.flatMap((file) => parseAllDocuments(readFileSync(join("deploy/k8s", file), "utf8")).map((doc) => ({ file, ...(doc.toJS() as any) })));
  const ofKind = (kind: string) => documents.filter((doc) => doc.kind === kind);
  const configMap = ofKind("ConfigMap").find((doc) => doc.metadata.name === "shelfgraph-config");

  it("lists every manifest in the kustomization", () => {
    const kustomization = parse(readFileSync("deploy/k8s/kustomization.yaml", "utf8")) as { resources: string[] };
    assert.deepEqual([...kustomization.resources].sort(), files.filter((file) => file !== "kustomization.yaml").sort());
  });

  it("deploys the gateway, every subgraph and the trainer from compiled entry points, with config and secrets by reference", () => {
    const deployments = new Map(ofKind("Deployment").map((doc) => [doc.metadata.name, doc]));
    for (const name of [...APP_SERVICES, "trainer"]) {
      const deployment = deployments.get(name);
      assert.ok(deployment, `Deployment ${name}`);
      const [container] = deployment.spec.template.spec.containers;
      const entry = (container.args as string[]).find((part) => part.startsWith("dist/"))!;
      assert.ok(existsSync(sourceOf(entry)), `${name}: ${entry}`);
      assert.deepEqual(container.envFrom, [{ configMapRef: { name: "shelfgraph-config" } }, { secretRef: { name: "shelfgraph-secrets" } }]);
      assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
      assert.equal(deployment.spec.template.metadata.annotations["prometheus.io/port"], String(defaults.METRICS_PORT));
      assert.ok(container.ports.some((port: { containerPort: number }) => port.containerPort === defaults.METRICS_PORT));
      const env = Object.fromEntries((container.env ?? []).map((entry: { name: string; value: string }) => [entry.name, entry.value]));
      assertKnownSettings(env, `k8s ${name}`);
      if (name in HEAP_LIMIT_MB) {
        const service = name as HeapLimitedService;
        assert.equal(env.NODE_OPTIONS, heapNodeOptions(service), `k8s ${name} runs with its heap limit`);
        assertMallocSettings(env, name, `k8s ${name}`);
        const limitMiB = Number(/^(\d+)Gi$/.exec(container.resources.limits.memory)?.[1]) * 1024 || Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]);
        // Two fifths of the container stay for native memory (code, ONNX Runtime's sessions, buffers).
        assert.ok(heapReservationMb(service) <= limitMiB * 0.6, `k8s ${name}: the heap (old and young generations) leaves room in the container's ${container.resources.limits.memory} for native memory`);
      }
    }
    assertKnownSettings(configMap.data, "ConfigMap shelfgraph-config");
    assert.ok(!("JWT_SECRET" in configMap.data) && !("DATABASE_URL" in configMap.data), "secrets stay out of the ConfigMap");
  });

  it("probes each service's health endpoints on its configured port and exposes that port through its Service", () => {
    for (const name of APP_SERVICES) {
      const port = servicePort(defaults, name);
      const [container] = ofKind("Deployment").find((doc) => doc.metadata.name === name).spec.template.spec.containers;
      assert.ok(container.ports.some((entry: { containerPort: number }) => entry.containerPort === port), `${name} listens on ${port}`);
      assert.deepEqual(container.readinessProbe.httpGet, { path: "/health/ready", port });
      assert.deepEqual(container.livenessProbe.httpGet, { path: "/health/live", port });
      const service = ofKind("Service").find((doc) => doc.metadata.name === name);
      assert.ok(service.spec.ports.some((entry: { port: number }) => entry.port === port), `Service ${name}:${port}`);
      assert.deepEqual(service.spec.selector, ofKind("Deployment").find((doc) => doc.metadata.name === name).spec.selector.matchLabels);
      if (name !== "gateway") {
        const gateway = ofKind("Deployment").find((doc) => doc.metadata.name === "gateway").spec.template.spec.containers[0];
        assert.ok(gateway.env.some((entry: { name: string; value: string }) => entry.name === `${name.toUpperCase()}_URL` && entry.value === `http://${name}:${port}/graphql`));
      }
    }
  });

  it("runs each stream consumer role as its own Deployment from the compiled entry, probed on METRICS_PORT", async () => {
    assert.ok(existsSync(sourceOf(STREAM_ENTRY)), `${STREAM_ENTRY} is built from ${sourceOf(STREAM_ENTRY)}`);
    const consumers = ofKind("Deployment").filter((doc) => (doc.spec.template.spec.containers[0].args as string[]).includes(STREAM_ENTRY));
    assert.deepEqual(consumers.map((doc) => doc.metadata.name).sort(), STREAM_ROLES.map((role) => `stream-${role}`).sort(), "one Deployment per role");
    for (const role of STREAM_ROLES) {
      const deployment = consumers.find((doc) => doc.metadata.name === `stream-${role}`);
      const [container] = deployment.spec.template.spec.containers;
      const args = container.args as string[];
      assert.deepEqual(args.slice(args.indexOf("--role")), ["--role", role], `stream-${role} runs --role ${role}`);
      assert.deepEqual(container.envFrom, [{ configMapRef: { name: "shelfgraph-config" } }, { secretRef: { name: "shelfgraph-secrets" } }]);
      assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
      assert.equal(deployment.spec.template.metadata.annotations["prometheus.io/port"], String(defaults.METRICS_PORT));
      assert.ok(container.ports.some((port: { containerPort: number }) => port.containerPort === defaults.METRICS_PORT));
      assert.deepEqual(container.readinessProbe.httpGet, { path: "/health/ready", port: defaults.METRICS_PORT });
      assert.deepEqual(container.livenessProbe.httpGet, { path: "/health/live", port: defaults.METRICS_PORT });
      // A stable, unique consumer name per pod (lib/config.ts STREAM_CONSUMER_NAME), from the downward API.
      const consumerName = (container.env as { name: string; valueFrom?: any }[]).find((entry) => entry.name === "STREAM_CONSUMER_NAME");
      assert.deepEqual(consumerName?.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
      assertKnownSettings(Object.fromEntries((container.env as { name: string; value?: string }[]).map((entry) => [entry.name, entry.value ?? "from-the-pod"])), `k8s stream-${role}`);
    }
    // The embeddings role folds vectors in against the production ALS factors: it reads the models volume.
    const embeddings = consumers.find((doc) => doc.metadata.name === "stream-embeddings").spec.template.spec;
    assert.ok(embeddings.containers[0].volumeMounts.some((mount: { mountPath: string }) => mount.mountPath === configMap.data.MODEL_ARTIFACTS_DIR));
    assert.equal(embeddings.volumes[0].persistentVolumeClaim.claimName, "shelfgraph-models");
    const retrain = consumers.find((doc) => doc.metadata.name === "stream-retrain");
    assert.equal(retrain.spec.replicas, 1, "one retrain trigger");
    assert.ok(!ofKind("HorizontalPodAutoscaler").some((doc) => doc.spec.scaleTargetRef.name === "stream-retrain"), "the retrain trigger is not autoscaled");

    // The code serves what the probes ask for on that port: live at once, ready only when its check passes.
    let ready = false;
    const server = await serveMetrics({ host: "127.0.0.1", port: 0, logger: createLogger(loadConfig({ LOG_LEVEL: "silent" }), "test"), ready: async () => {
      if (!ready) throw new Error("consumers starting");
    } });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`).then((response) => response.status);
      assert.equal(await get("/health/live"), 200);
      assert.equal(await get("/health/ready"), 503);
      ready = true;
      assert.equal(await get("/health/ready"), 200);
    } finally {
      await server.stop();
    }
  });

  it("autoscales each serving Deployment between 3 and 20 replicas at 70% CPU and 80% memory, with a disruption budget", () => {
    for (const name of [...APP_SERVICES, ...SCALABLE_ROLES.map((role) => `stream-${role}`)]) {
      const hpa = ofKind("HorizontalPodAutoscaler").find((doc) => doc.metadata.name === name);
      assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name });
      assert.equal(hpa.spec.minReplicas, 3);
      assert.equal(hpa.spec.maxReplicas, 20);
      const targets = Object.fromEntries(hpa.spec.metrics.map((metric: any) => [metric.resource.name, metric.resource.target.averageUtilization]));
      assert.deepEqual(targets, { cpu: 70, memory: 80 });
      const pdb = ofKind("PodDisruptionBudget").find((doc) => doc.metadata.name === name);
      assert.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, "a drain can always proceed");
      assert.deepEqual(pdb.spec.selector.matchLabels, { "app.kubernetes.io/name": name });
    }
  });
});

/** Metric names the code registers, with the series names histograms expand to. */
async function knownSeries(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(metric.name + suffix);
  }
  return names;
}
const seriesIn = (expr: string) => [...expr.matchAll(/\b(shelfgraph_[a-z0-9_]+)/g)].map((match) => match[1]!);

describe("alerts and dashboard", () => {
  it("alerts.yml has the design's alerts, each over metrics the code exports", async () => {
    const known = await knownSeries();
    const rules = (parse(readFileSync("deploy/prometheus/alerts.yml", "utf8")) as { groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[] }).groups.flatMap((group) => group.rules);
    const byName = new Map(rules.map((rule) => [rule.alert, rule]));
    assert.equal(byName.get("HighErrorRate")?.labels.severity, "critical");
    assert.equal(byName.get("SlowRecommendations")?.labels.severity, "warning");
    assert.equal(byName.get("ModelAccuracyDrop")?.labels.severity, "critical");
    assert.match(byName.get("HighErrorRate")!.expr, /> 0\.05/);
    assert.match(byName.get("SlowRecommendations")!.expr, /> 0\.5/);
    assert.match(byName.get("ModelAccuracyDrop")!.expr, /< 0\.7/);
    for (const rule of rules) for (const series of seriesIn(rule.expr)) assert.ok(known.has(series), `${rule.alert}: ${series} is exported`);
  });

  it("passes promtool's rule unit tests where promtool is installed", { skip: spawnSync("promtool", ["--version"]).status === 0 ? false : "promtool not installed" }, () => {
    const result = spawnSync("promtool", ["test", "rules", "alerts.test.yml"], { cwd: "deploy/prometheus", encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it("the Grafana dashboard charts only metrics the code exports", async () => {
    const known = await knownSeries();
    const dashboard = JSON.parse(readFileSync("deploy/grafana/dashboards/shelfgraph.json", "utf8")) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
    assert.ok(dashboard.panels.length >= 10);
    const charted = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) for (const series of seriesIn(target.expr)) {
        assert.ok(known.has(series), `${panel.title}: ${series} is exported`);
        charted.add(series.replace(/_(bucket|sum|count)$/, ""));
      }
    }
    for (const name of ["shelfgraph_graphql_request_duration_seconds", "shelfgraph_subgraph_fetch_duration_seconds", "shelfgraph_cache_requests_total", "shelfgraph_inference_batch_size", "shelfgraph_recommendation_impressions_total", "shelfgraph_recommendation_clicks_total"]) {
      assert.ok(charted.has(name), `${name} is charted`);
    }
  });
});
