// The CommonJS side of the exports map (require), as a .cts consumer sees it.
import slipstream = require('slipstream-client');
import react = require('slipstream-client/react');

const client = new slipstream.Slipstream({ url: 'http://localhost:8080' });
const topic = client.subscribe('orders');
export const version: number = react.topicStore(client, topic.name).getSnapshot().version;
