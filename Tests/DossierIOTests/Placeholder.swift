// Placeholder so the test target builds until its module's tests land; it is removed then.
