// The transport contract through both LoRaWAN network-server integrations, over a real socket: the
// device's payload arrives base64 in ChirpStack v4 `up` events and The Things Stack v3 uplink webhooks.
import { transportContract } from '../transport-contract.js';
import { networkServerDriver } from './network-server-driver.js';

transportContract(networkServerDriver('chirpstack'));
transportContract(networkServerDriver('tts'));
