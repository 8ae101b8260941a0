using CoffeeShop;

await CoffeeShopHost.RunAsync(args);
