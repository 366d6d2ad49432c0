// Task events to containerd: containerd.services.events.ttrpc.v1.Events/
// Forward on TTRPC_ADDRESS, an Envelope whose event is an Any with the
// event's full protobuf name as type URL ("containerd.events.TaskExit").
// Events go out one at a time, in order; a failure is logged, not retried.
import { create, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { AnySchema, timestampNow } from '@bufbuild/protobuf/wkt';
import { EnvelopeSchema, ForwardRequestSchema } from './gen/containerd/events-service_pb.js';
import { TtrpcClient } from './ttrpc-client.js';

export class Publisher {
  private chain: Promise<void> = Promise.resolve();
  private readonly client: TtrpcClient | null;

  constructor(
    ttrpcAddress: string,
    private readonly namespace: string,
    private readonly onError: (msg: string) => void,
  ) {
    const path = ttrpcAddress.replace(/^unix:\/\//, '');
    this.client = path === '' ? null : new TtrpcClient(path);
  }

  publish<D extends DescMessage>(topic: string, schema: D, event: MessageShape<D>): void {
    if (!this.client) return;
    const client = this.client;
    const envelope = create(EnvelopeSchema, {
      timestamp: timestampNow(),
      namespace: this.namespace,
      topic,
      event: create(AnySchema, { typeUrl: schema.typeName, value: toBinary(schema, event) }),
    });
    const payload = toBinary(ForwardRequestSchema, create(ForwardRequestSchema, { envelope }));
    this.chain = this.chain
      .then(() => client.call('containerd.services.events.ttrpc.v1.Events', 'Forward', payload, { 'containerd-namespace-ttrpc': this.namespace }))
      .then(
        () => {},
        (e: Error) => this.onError(`publish ${topic}: ${e.message}`),
      );
  }

  /** Resolves once every event published so far has been sent (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.client?.close();
  }
}
