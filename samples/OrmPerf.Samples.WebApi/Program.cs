using OrmPerf.Samples.WebApi;

await ShopApp.Build(args).RunAsync();
