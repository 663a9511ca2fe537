module github.com/bharatauth/bharatauth-go/ports

go 1.26
