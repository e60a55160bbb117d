exports.handler = async () => ({ statusCode: 200, body: 'hello from the orders service' });
