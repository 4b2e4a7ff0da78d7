using DistTrain.Silo;
using Microsoft.Extensions.Hosting;

// A DistTrain silo: configuration from appsettings.json, DISTTRAIN__* environment variables
// and the command line (for example --DistTrain:Cluster:RedisConnectionString=host:6379).
var builder = Host.CreateApplicationBuilder(args);
builder.UseDistTrain();
await builder.Build().RunAsync();
