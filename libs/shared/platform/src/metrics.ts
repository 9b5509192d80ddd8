import { getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';

/** Metrics of another thread of this process, as prom-client's JSON. */
export type MetricsSource = () => Promise<Array<MetricObjectWithValues<MetricValue<string>>>>;

/** One registry per process; every service adds its own series with a `service` label. */
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'ledger_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['service', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'ledger_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['service', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry] });
  readonly refusals = new Counter({ name: 'ledger_refusals_total', help: 'Refused requests by error code', labelNames: ['service', 'code'], registers: [this.registry] });
  readonly consumed = new Counter({ name: 'ledger_events_applied_total', help: 'Events applied by consumers', labelNames: ['service', 'consumer', 'type'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'ledger_dead_letters_total', help: 'Messages sent to a dead-letter topic', labelNames: ['service', 'consumer', 'code'], registers: [this.registry] });
  readonly consumerLag = new Gauge({ name: 'ledger_consumer_lag', help: 'Messages published but not yet applied', labelNames: ['service', 'consumer'], registers: [this.registry] });
  readonly outboxBacklog = new Gauge({ name: 'ledger_outbox_backlog', help: 'Committed events not yet published', labelNames: ['service'], registers: [this.registry] });
  readonly groupCommitStreams = new Histogram({ name: 'ledger_group_commit_streams', help: 'Streams appended per group commit', labelNames: ['service'], buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [this.registry] });
  readonly terminalCache = new Gauge({ name: 'ledger_terminal_cache_entries', help: 'Open-batch entries of terminal state held in memory', labelNames: ['service'], registers: [this.registry] });
  readonly projectionPosition = new Gauge({ name: 'ledger_projection_events_applied', help: 'Events applied by a projection since start', labelNames: ['service', 'projection'], registers: [this.registry] });

  /** Per thread (the process-wide default metrics show the main thread's heap only). */
  readonly threadHeap = new Gauge({
    name: 'ledger_thread_heap_bytes',
    help: 'V8 heap of this thread: used, total, and memory outside it that its objects hold (external)',
    labelNames: ['thread', 'kind'],
    registers: [this.registry],
    collect() {
      const heap = getHeapStatistics();
      const thread = isMainThread ? 'main' : 'background';
      this.set({ thread, kind: 'used' }, heap.used_heap_size);
      this.set({ thread, kind: 'total' }, heap.total_heap_size);
      this.set({ thread, kind: 'external' }, heap.external_memory);
    },
  });

  private readonly sources: MetricsSource[] = [];

  /** `defaultMetrics`: process metrics (memory, CPU, event loop); once per process, so not in a worker thread. */
  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Adds the series of another thread (a background worker) to every scrape. */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The exposition text: this thread's series, summed with those of the other threads. */
  async scrape(): Promise<string> {
    if (this.sources.length === 0) return this.registry.metrics();
    const all = [await this.registry.getMetricsAsJSON(), ...(await Promise.all(this.sources.map((s) => s().catch(() => []))))];
    return AggregatorRegistry.aggregate(all).metrics();
  }
}
