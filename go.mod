module github.com/strandhttp/strand

go 1.26
