/**
 * The server's Prometheus metrics (SPEC §12), written with prom-client: the engine's results,
 * steps and queues, each node's last known state, HTTP requests, refused tokens and topology
 * reloads. The server builds it once and serves `render()` on `GET /metrics`.
 */
export { createMetrics, type Metrics, type MetricsOptions } from './metrics.ts'
