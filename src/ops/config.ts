/** Operating settings: metrics access, shutdown, worker processes (README "Operating it"). */
export interface OpsConfig {
  metrics: {
    /**
     * `METRICS_TOKEN`: when set, `/metrics` on the public port answers only `Authorization:
     * Bearer <token>`. In production without a token it is not served there at all (404).
     */
    token: string | null;
    /** `METRICS_PORT`: a second listener on 127.0.0.1 serving `/metrics` without a token. */
    port: number | null;
  };
  shutdown: {
    /** `SHUTDOWN_TIMEOUT_SECONDS`: how long requests in flight may take to finish after a signal. */
    timeoutSeconds: number;
    /**
     * `SHUTDOWN_DELAY_SECONDS`: time between `/readyz` turning 503 and the listener closing, for
     * load balancers that poll readiness before they stop sending traffic. Default 0.
     */
    delaySeconds: number;
  };
  /** `WEB_CONCURRENCY`: server processes sharing the port (node:cluster). */
  webConcurrency: number;
}

function wholeNumber(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function loadOpsConfig(env: NodeJS.ProcessEnv): OpsConfig {
  const token = env.METRICS_TOKEN ? env.METRICS_TOKEN : null;
  if (token !== null && token.length < 16) throw new Error("METRICS_TOKEN must be at least 16 characters");
  return {
    metrics: {
      token,
      port: env.METRICS_PORT ? wholeNumber(env.METRICS_PORT, 0, "METRICS_PORT", 0, 65535) : null,
    },
    shutdown: {
      timeoutSeconds: wholeNumber(env.SHUTDOWN_TIMEOUT_SECONDS, 10, "SHUTDOWN_TIMEOUT_SECONDS", 0, 3600),
      delaySeconds: wholeNumber(env.SHUTDOWN_DELAY_SECONDS, 0, "SHUTDOWN_DELAY_SECONDS", 0, 600),
    },
    webConcurrency: wholeNumber(env.WEB_CONCURRENCY, 1, "WEB_CONCURRENCY", 1, 64),
  };
}
