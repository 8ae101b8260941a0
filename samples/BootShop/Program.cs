using BootShop;

await BootShopHost.RunAsync(args);
