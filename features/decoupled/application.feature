@decoupled @simulation
Feature: Applying for a decoupled card
  A decoupled card is a debit card with a credit limit from EUR 100 to EUR 1,000, settled every
  day by SEPA Direct Debit from the customer's account at another bank, the reference account.
  The customer applies; Solaris scores the credit record and then an account snapshot; after
  the identification the partner opens the internal account, links it to the application,
  records the reference account with its SEPA mandate and issues the card.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person
    And the customer's mobile number is verified
    And the customer's German tax identification number "48954371207" is recorded

  Scenario: A customer goes from the application to an active decoupled card
    When the partner requests the customer's credit record from Solaris
    Then the credit record is "available"
    When the partner applies for a decoupled card with the credit record
    Then the answer shows the application "initial_scoring_pending"
    And within 5 seconds the partner receives an SDD_COLLECTION_APPLICATION webhook for the customer whose "status" is "initial_scoring_pending"
    And within 5 seconds the application is "account_snapshot_pending" with the decision "OFFERED"
    And within 5 seconds the partner receives an SDD_COLLECTION_APPLICATION webhook for the customer whose "status" is "account_snapshot_pending"
    When the customer shares three months of their bank account: a salary of 2,000.00 EUR, rent of 0.00 EUR, loan repayments of 0.00 EUR and a balance of 500.00 EUR
    And the partner links the account snapshot to the application
    Then the answer shows the application "account_snapshot_verification_pending"
    And within 5 seconds the application is "offered" with a limit of 1,000.00 EUR
    And within 5 seconds the partner receives an SDD_COLLECTION_APPLICATION webhook for the customer whose "status" is "offered"
    When the partner opens the internal decoupled card account for the customer
    Then the request is refused with status 400 and code "validation_error"
    When the partner starts a video identification with IDnow in "DE"
    And the partner requests the video identification
    And IDnow reports the identification as "successful"
    And the partner opens the internal decoupled card account for the customer
    Then the account is a "DECOUPLED_CARD_PERSONAL" account with a valid IBAN
    And the account's balance is 0.00 EUR with a limit of 0.00 EUR
    When the partner links the internal account to the application
    Then the application is "overdraft_created"
    And within 5 seconds the partner receives an SDD_COLLECTION_APPLICATION webhook for the customer whose "status" is "overdraft_created"
    And the account's balance is 0.00 EUR with a limit of 1,000.00 EUR
    When the customer signs a SEPA mandate for the reference account "DE89370400440532013000"
    Then the reference account is "ACTIVE"
    When the partner orders a "VIRTUAL_VISA_DEBIT" card for the account, with instant activation on the sandbox
    Then the card is ready for activation within 10 seconds
    When the customer activates the card
    Then the card is active

  Scenario: The internal account is linked only to an offered application
    Given the customer applied for a decoupled card
    And the customer has been identified by video
    When the partner opens the internal decoupled card account for the customer
    And the partner links the internal account to the application
    Then the request is refused with status 400 and code "validation_error"
    And the application is "account_snapshot_pending"
