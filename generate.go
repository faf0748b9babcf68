package strand

//go:generate go run ./internal/gen/statusgen internal/gen/statusgen/codes.tsv status.go
