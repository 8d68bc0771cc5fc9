/** A listener's access counters. */
export interface ListenerStats {
  /** Requests (HTTP) or connections (TCP) accepted. */
  readonly requests: number;
  /** Responses by status class (HTTP). */
  readonly responses: {
    readonly '2xx': number;
    readonly '3xx': number;
    readonly '4xx': number;
    readonly '5xx': number;
  };
  /** Requests retried on another target after a refused connection. */
  readonly retries: number;
  /** Requests the balancer itself failed: no healthy target (503), target error (502), timeout (504). */
  readonly errors: number;
  readonly targets: readonly {
    readonly key: string;
    readonly address: string;
    readonly state: string;
    readonly requests: number;
    readonly inFlight: number;
    readonly failures: number;
  }[];
}

export class MutableStats {
  requests = 0;
  retries = 0;
  errors = 0;
  responses = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };

  response(status: number): void {
    if (status >= 500) this.responses['5xx']++;
    else if (status >= 400) this.responses['4xx']++;
    else if (status >= 300) this.responses['3xx']++;
    else if (status >= 200) this.responses['2xx']++;
  }
}
