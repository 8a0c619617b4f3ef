/**
 * The notifier assembled: the SSRF guard (also the EndpointPolicy the subscription service vets
 * endpoints with), the HTTP and MQTT senders behind it, and the dispatcher over the store's outbox.
 * `urbis serve` builds one, starts it after the subscription service has loaded its subscriptions,
 * and stops it before closing the store.
 */
import type { Store } from '../../store/port.js';
import { AddressGuard } from '../net/address-guard.js';
import type { EndpointPolicy, NotificationSource } from './contracts.js';
import {
  NotificationDispatcher,
  type DispatcherDeps,
  type DispatcherOptions,
  type NotifierLogger,
} from './dispatcher.js';
import { HttpSender } from './http-sender.js';
import { MqttSender } from './mqtt-sender.js';
import type { Sender } from './sender.js';

/** What a notifier needs. */
export interface NotifierOptions {
  store: Pick<Store, 'outbox' | 'onOutbox'>;
  source: NotificationSource;
  /** `config.allowPrivateEndpoints`: hosts and CIDR ranges reachable although private. Ignored with `guard`. */
  allowPrivateEndpoints?: readonly string[];
  /** A guard made elsewhere (shared with the remote @context loader, say). */
  guard?: AddressGuard;
  logger?: NotifierLogger;
  /** Delivery settings (see DISPATCHER_DEFAULTS). */
  delivery?: DispatcherOptions;
  /** With replicas: which subscriptions this replica delivers (cluster/delivery-gate.ts). */
  gate?: DispatcherDeps['gate'];
}

/** Guard, senders and dispatcher, started and stopped together. */
export class Notifier {
  /** The SSRF guard; as EndpointPolicy it vets subscription endpoints. */
  readonly guard: AddressGuard;
  readonly dispatcher: NotificationDispatcher;
  private readonly senders: Sender[];

  constructor(options: NotifierOptions) {
    this.guard = options.guard ?? new AddressGuard({ allow: options.allowPrivateEndpoints ?? [] });
    const http = new HttpSender({ guard: this.guard });
    const mqtt = new MqttSender({ guard: this.guard });
    this.senders = [http, mqtt];
    this.dispatcher = new NotificationDispatcher(
      {
        store: options.store,
        source: options.source,
        senders: { 'http:': http, 'https:': http, 'mqtt:': mqtt, 'mqtts:': mqtt },
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.gate === undefined ? {} : { gate: options.gate }),
      },
      options.delivery,
    );
  }

  /** The EndpointPolicy for the subscription service. */
  get policy(): EndpointPolicy {
    return this.guard;
  }

  /** Deliver what the outbox holds, and every new entry. */
  start(): Promise<void> {
    return this.dispatcher.start();
  }

  /** Stop delivering (waiting, bounded, for sends in flight) and close connections. */
  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await Promise.all(this.senders.map((s) => s.close()));
  }
}
