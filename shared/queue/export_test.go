package queue

// SetBudget sets how many index entries a page examines per queue, so that
// tests reach the bound with a few jobs.
func (in *Inspector) SetBudget(n int) { in.budget = n }
