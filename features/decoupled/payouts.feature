@decoupled @simulation
Feature: Payouts to the reference account
  A customer who topped up the card's account may transfer the positive balance back to the
  reference account, and only there: never money from the credit limit. The customer confirms
  each payout with a TAN; the payout is then executed, or declined if the balance no longer
  covers it. The partner's reference is the idempotency key: asking again returns the first
  payout.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer has a decoupled card with a limit of 500.00 EUR
    And the customer topped up 100.00 EUR from the reference account

  Scenario: A positive balance goes back to the reference account
    When the partner asks to pay out 60.00 EUR to the reference account with the reference "back-home-1"
    Then the payout waits for the customer's confirmation
    When the customer confirms the payout with the TAN "212212"
    Then the payout is "ACCEPTED"
    And within 5 seconds the payout is "EXECUTED"
    And the account's balance is 40.00 EUR with a limit of 500.00 EUR
    And the reference account was credited 60.00 EUR by the payout
    And within 5 seconds the partner receives a BOOKING webhook for the customer whose "reference" is "back-home-1"

  Scenario: A payout above the balance is refused
    When the partner asks to pay out 100.01 EUR to the reference account with the reference "too-much"
    Then the request is refused with status 400 and code "invalid_model" on field "amount"

  Scenario: The credit limit is never paid out
    Given the customer paid 150.00 EUR with the card
    When the partner asks to pay out 10.00 EUR to the reference account with the reference "from-credit"
    Then the request is refused with status 400 and code "invalid_model" on field "amount"
    And the account's balance is -50.00 EUR with a limit of 500.00 EUR

  Scenario: Only the active reference account receives payouts
    Given the customer signed a SEPA mandate for the reference account "DE02120300000000202051"
    When the partner asks to pay out 10.00 EUR to the previous reference account with the reference "old-account"
    Then the request is refused with status 400 and code "validation_error"

  Scenario: Asking again with the same reference returns the first payout
    When the partner asks to pay out 60.00 EUR to the reference account with the reference "rent-back"
    And the customer confirms the payout with the TAN "212212"
    Then within 5 seconds the payout is "EXECUTED"
    When the partner asks to pay out 30.00 EUR to the reference account with the reference "rent-back"
    Then the answer is the first payout: 60.00 EUR, "EXECUTED"
    And the account's balance is 40.00 EUR with a limit of 500.00 EUR

  Scenario: A payout the balance no longer covers when it is confirmed is declined
    When the partner asks to pay out 80.00 EUR to the reference account with the reference "too-late"
    And the customer pays 50.00 EUR with the card
    And the customer confirms the payout with the TAN "212212"
    Then the payout is "ACCEPTED"
    And within 5 seconds the payout is "DECLINED"
    And the account's balance is 50.00 EUR with a limit of 500.00 EUR

  Scenario: A wrong TAN does not confirm the payout
    When the partner asks to pay out 60.00 EUR to the reference account with the reference "wrong-tan"
    And the customer confirms the payout with the TAN "111111"
    Then the request is refused with status 400 and code "invalid_model" on field "tan"
    And the account's balance is 100.00 EUR with a limit of 500.00 EUR
