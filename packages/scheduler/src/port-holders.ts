export type Protocol = 'tcp' | 'udp';

/**
 * Host port → instance index → how many hold it there (an instance's own
 * reservation counts as one). The ports filter reads one map per port it
 * needs instead of each instance's sets. Maps are created on first use and
 * never replaced, so a filter may keep the one it was built with.
 */
export class PortHolders {
  private readonly byPort = {
    tcp: new Map<number, Map<number, number>>(),
    udp: new Map<number, Map<number, number>>(),
  };

  of(protocol: Protocol, port: number): Map<number, number> {
    const byPort = this.byPort[protocol];
    let holders = byPort.get(port);
    if (holders === undefined) {
      holders = new Map();
      byPort.set(port, holders);
    }
    return holders;
  }

  hold(protocol: Protocol, ports: Iterable<number>, index: number): void {
    for (const port of ports) {
      const holders = this.of(protocol, port);
      holders.set(index, (holders.get(index) ?? 0) + 1);
    }
  }

  release(protocol: Protocol, ports: Iterable<number>, index: number): void {
    for (const port of ports) {
      const holders = this.of(protocol, port);
      const n = (holders.get(index) ?? 0) - 1;
      if (n <= 0) holders.delete(index);
      else holders.set(index, n);
    }
  }
}
