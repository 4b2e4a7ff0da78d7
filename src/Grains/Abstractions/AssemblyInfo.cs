// Grain contracts live here; implementations are in src/Grains.
