/** The transport contract over the embedded MQTT broker, devices authenticating with username and password. */
import { transportContract } from '../transport-contract.js';
import { embeddedDriver } from './mqtt-driver.js';

transportContract(embeddedDriver('password'));
