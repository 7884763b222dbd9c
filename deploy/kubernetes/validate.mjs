// Offline validation of rendered overlays, without a cluster:
//   node deploy/kubernetes/validate.mjs RENDERED.yaml...      (file name = overlay name, e.g. single-node.yaml)
// 1. Schema: every document against the Kubernetes OpenAPI schema (npm kubernetes-models; the ServiceMonitor
//    against @kubernetes-models/prometheus-operator). An unknown apiVersion/kind fails.
// 2. Deployment rules of this project: probes on /q/health/live|ready, resource requests and a memory limit,
//    a grace period above QUARKUS_SHUTDOWN_DELAY + QUARKUS_SHUTDOWN_TIMEOUT, the API key from a Secret, a
//    non-root user, selectors that select something (Service, PodDisruptionBudget, ServiceMonitor), and per
//    overlay: single-node = one replica on a PVC with the embedded engine, scale-out = N > 1 replicas on the
//    remote backend against a model-server Service.
// Prints one line per check and "N passed, M failed"; exits 1 when any failed.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseAllDocuments } from "yaml";

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? ": " + detail : ""}`);
  }
}

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}`
    : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  try {
    const mod = await import(pkg);
    return mod[kind];
  } catch {
    return undefined;
  }
}

const seconds = (d) => {
  const m = /^(\d+)(ms|s|m)?$/.exec(d ?? "");
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
};
const selects = (selector, labels) =>
  Object.entries(selector ?? {}).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

for (const file of process.argv.slice(2)) {
  const overlay = basename(file).replace(/\.ya?ml$/, "");
  console.log(`-- ${overlay}`);
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  check(`${overlay}: renders to documents (${docs.length})`, docs.length > 0);
  for (const doc of docs) {
    const id = `${doc.kind}/${doc.metadata?.name}`;
    const Cls = await modelClass(doc.apiVersion, doc.kind);
    if (!Cls) {
      check(`${overlay}: ${id} has a known schema`, false, `${doc.apiVersion} ${doc.kind}`);
      continue;
    }
    try {
      new Cls(doc).validate();
      check(`${overlay}: ${id} is valid against the ${doc.apiVersion} schema`, true);
    } catch (e) {
      check(`${overlay}: ${id} is valid against the ${doc.apiVersion} schema`, false, String(e.message ?? e).slice(0, 400));
    }
  }
  const of = (kind) => docs.filter((d) => d.kind === kind);
  const app = of("Deployment").find((d) => d.metadata.name === "thinkloop");
  check(`${overlay}: has the thinkloop Deployment`, !!app);
  if (!app) continue;
  const pod = app.spec.template.spec;
  const c = pod.containers.find((x) => x.name === "thinkloop");
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
  check(`${overlay}: liveness probe on /q/health/live`, c.livenessProbe?.httpGet?.path === "/q/health/live");
  check(`${overlay}: readiness probe on /q/health/ready`, c.readinessProbe?.httpGet?.path === "/q/health/ready");
  check(`${overlay}: cpu and memory requests, memory limit`,
    !!(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory));
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  const shutdown = seconds(env.QUARKUS_SHUTDOWN_DELAY?.value ?? "0s") + seconds(env.QUARKUS_SHUTDOWN_TIMEOUT?.value ?? "10s");
  check(`${overlay}: grace period ${grace}s > shutdown delay + timeout ${shutdown}s`, grace > shutdown);
  check(`${overlay}: runs as a non-root user`, pod.securityContext?.runAsNonRoot === true && c.securityContext?.allowPrivilegeEscalation === false);
  const keyFromSecret = !!env.THINKLOOP_API_KEY?.valueFrom?.secretKeyRef;
  if (overlay === "podman") {
    check(`${overlay}: API key as a plain value for podman, a hostPort`,
      !keyFromSecret && !!env.THINKLOOP_API_KEY?.value && c.ports.some((p) => p.hostPort));
  } else {
    check(`${overlay}: API key from a Secret`, keyFromSecret);
  }
  const podLabels = app.spec.template.metadata.labels;
  check(`${overlay}: Deployment selector matches its pods`, selects(app.spec.selector.matchLabels, podLabels));
  if (overlay !== "podman") {
    const svc = of("Service").find((s) => s.metadata.name === "thinkloop");
    check(`${overlay}: Service selects the pods`, !!svc && selects(svc.spec.selector, podLabels));
    const pdb = of("PodDisruptionBudget").find((p) => selects(p.spec.selector.matchLabels, podLabels));
    check(`${overlay}: a PodDisruptionBudget covers the pods`, !!pdb);
    const sm = of("ServiceMonitor")[0];
    check(`${overlay}: ServiceMonitor scrapes /q/metrics of the Service`,
      !!sm && !!svc && selects(sm.spec.selector.matchLabels, svc.metadata.labels)
        && sm.spec.endpoints.some((e) => e.path === "/q/metrics" && svc.spec.ports.some((p) => p.name === e.port)));
  }
  const claims = (pod.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim.claimName);
  if (overlay === "single-node" || overlay === "podman") {
    check(`${overlay}: one replica, Recreate`, (app.spec.replicas ?? 1) === 1 && app.spec.strategy?.type === "Recreate");
    check(`${overlay}: /data on a PVC that the overlay defines`,
      claims.length === 1 && of("PersistentVolumeClaim").some((p) => p.metadata.name === claims[0])
        && c.volumeMounts.some((m) => m.mountPath === "/data"));
    check(`${overlay}: embedded engine, file journal`, env.THINKLOOP_MODEL_BACKEND?.value === "embedded");
  }
  if (overlay === "scale-out") {
    check(`${overlay}: N > 1 replicas`, app.spec.replicas > 1);
    const url = env.THINKLOOP_MODEL_REMOTE_BASE_URL?.value ?? "";
    const model = of("Service").find((s) => url.includes(`//${s.metadata.name}:`));
    const modelPods = model && of("Deployment").find((d) => selects(model.spec.selector, d.spec.template.metadata.labels));
    check(`${overlay}: remote backend against a model-server Service with pods behind it`,
      env.THINKLOOP_MODEL_BACKEND?.value === "remote" && !!modelPods);
    check(`${overlay}: sessions in a shared store (redis or postgres) whose URL comes from a Secret`,
      ["redis", "postgres"].includes(env.THINKLOOP_SESSIONS_STORE?.value)
        && !!(env.THINKLOOP_SESSIONS_REDIS_URL?.valueFrom?.secretKeyRef ?? env.THINKLOOP_SESSIONS_POSTGRES_URL));
    check(`${overlay}: no session affinity (any replica serves any session)`,
      (of("Service").find((s) => s.metadata.name === "thinkloop")?.spec.sessionAffinity ?? "None") === "None");
    check(`${overlay}: model tier provider vllm or sglang`, ["vllm", "sglang"].includes(env.THINKLOOP_MODEL_REMOTE_PROVIDER?.value));
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
