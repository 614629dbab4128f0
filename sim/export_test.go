package sim

// Forecasters returns the number of forecasters r keeps.
func Forecasters(r *Replication) int { return len(r.forecasters) }
