using Symbolon.Exchange;

await ExchangeHost.RunAsync(args);
