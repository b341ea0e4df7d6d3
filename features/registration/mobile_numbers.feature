@registration
Feature: Registration: the customer's mobile number
  Every customer needs a verified mobile number: the partner adds it, Solaris sends an SMS
  code (OTP) to it, and the customer types the code into the partner's app. A person has one
  number, stored in E.164 form after spaces, dashes, underscores and slashes are removed. Only
  the stored number can be verified, and a code works once. An unverified number can be
  deleted at once; a verified one only through a change request that the customer confirms
  with a TAN (on the sandbox always 212212).

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person

  Rule: a number is stored in E.164 form, one per person

    Scenario Outline: The number is stored without spaces, dashes, underscores and slashes
      When the partner adds the mobile number "<as typed>"
      Then the mobile number is stored as "<stored>", not yet verified

      Examples:
        | as typed            | stored         |
        | +4915123456789      | +4915123456789 |
        | +49 151 2345 6789   | +4915123456789 |
        | +49-151-2345-6789   | +4915123456789 |
        | +49_151/2345_6789   | +4915123456789 |
        | +33 6 12 34 56 78   | +33612345678   |
        | +15550101           | +15550101      |

    Scenario Outline: A number that is not E.164 after sanitising is refused
      When the partner adds the mobile number "<as typed>"
      Then the request is refused with status 400 and code "invalid_model" on field "number"

      Examples:
        | as typed           | why                       |
        | 0151 23456789      | no country code           |
        | 0049 151 23456789  | 00 instead of +           |
        | +49 (151) 23456789 | brackets are not removed  |
        | +49.151.23456789   | dots are not removed      |
        | +0151234567        | country code starting 0   |
        | +123456            | too short                 |
        | +1234567890123456  | more than 15 digits       |
        | +49151CALLME       | letters                   |
        |                    | empty                     |

    Scenario: A person has one mobile number
      Given the partner added the mobile number "+4915123456789"
      When the partner adds the mobile number "+4915198765432"
      Then the request is refused with status 400 and code "invalid_model" on field "number"
      And the mobile number is stored as "+4915123456789", not yet verified

    @webhooks
    Scenario: Adding a number tells the partner through PERSON_MOBILE_NUMBER_CREATED
      When the partner adds the mobile number "+4915123456789"
      Then within 5 seconds the partner receives a PERSON_MOBILE_NUMBER_CREATED webhook for the customer
      And the webhook is about the person

  Rule: the SMS code verifies the stored number, once

    Scenario: The sandbox number is verified with the sandbox code
      Given the partner added the mobile number "+15550101"
      When the partner sends a verification code to "+15550101"
      And the customer confirms the mobile number "+15550101" with the code "212212"
      Then the mobile number is verified

    Scenario: A code is sent only to the stored number
      Given the partner added the mobile number "+4915123456789"
      When the partner sends a verification code to "+4915198765432"
      Then the request is refused with status 400 and code "invalid_model" on field "number"

    Scenario: Only the stored number can be confirmed
      Given the partner added the mobile number "+4915123456789"
      And the partner sends a verification code to "+4915123456789"
      When the customer confirms the mobile number "+4915198765432" with the code "212212"
      Then the request is refused with status 400 and code "invalid_model" on field "number"
      And the mobile number is not verified

    Scenario: The number as typed is sanitised before it is compared
      Given the partner added the mobile number "+49 151 2345 6789"
      When the partner sends a verification code to "+49-151-2345-6789"
      And the customer confirms the mobile number "+49 151 23456789" with the code "212212"
      Then the mobile number is verified

    Scenario: A wrong code is refused
      Given the partner added the mobile number "+4915123456789"
      And the partner sends a verification code to "+4915123456789"
      When the customer confirms the mobile number "+4915123456789" with the code "111111"
      Then the request is refused with status 400 and code "invalid_model" on field "token"
      And the mobile number is not verified

    Scenario: A code before one was sent is refused
      Given the partner added the mobile number "+4915123456789"
      When the customer confirms the mobile number "+4915123456789" with the code "212212"
      Then the request is refused with status 400 and code "invalid_model" on field "token"
      And the mobile number is not verified

    Scenario: A code works once
      Given the partner added the mobile number "+4915123456789"
      And the partner sends a verification code to "+4915123456789"
      And the customer confirms the mobile number "+4915123456789" with the code "212212"
      When the customer confirms the mobile number "+4915123456789" with the code "212212"
      Then the request is refused with status 400 and code "invalid_model" on field "token"
      And the mobile number is verified

    Scenario: A verified number gets no new code
      Given the partner added the mobile number "+4915123456789"
      And the partner sends a verification code to "+4915123456789"
      And the customer confirms the mobile number "+4915123456789" with the code "212212"
      When the partner sends a verification code to "+4915123456789"
      Then the request is refused with status 400 and code "invalid_model" on field "number"

  Rule: without a number there is nothing to read, verify or delete

    Scenario Outline: A customer without a mobile number gets 404
      When <the partner acts>
      Then the request is refused with status 404 and code "model_not_found"

      Examples:
        | the partner acts                                                                    |
        | the partner looks up the customer's mobile number                                   |
        | the partner sends a verification code to "+4915123456789"                           |
        | the customer confirms the mobile number "+4915123456789" with the code "212212"     |
        | the partner deletes the mobile number                                               |

  Rule: an unverified number is deleted at once, a verified one through a change request confirmed with a TAN

    Scenario: An unverified number is deleted at once
      Given the partner added the mobile number "+4915123456789"
      When the partner deletes the mobile number
      Then the mobile number is deleted at once

    Scenario: A verified number is deleted once the customer confirms the change request
      Given the customer's mobile number is verified
      When the partner deletes the mobile number
      Then a change request awaits authorization
      And the mobile number is verified
      When the partner has the TAN sent for the change request by "static"
      Then the change request awaits confirmation
      When the customer confirms the change request with the TAN "212212"
      Then the change request is completed
      And the customer has no mobile number

    Scenario: A wrong TAN leaves the verified number in place
      Given the customer's mobile number is verified
      When the partner deletes the mobile number
      And the partner has the TAN sent for the change request by "static"
      And the customer confirms the change request with the TAN "111111"
      Then the request is refused with status 400 and code "invalid_model" on field "tan"
      And the mobile number is verified

    Scenario: A change request is confirmed only after its TAN was sent
      Given the customer's mobile number is verified
      When the partner deletes the mobile number
      And the customer confirms the change request with the TAN "212212"
      Then the request is refused with status 400 and code "invalid_model" on field "tan"
      And the mobile number is verified

    Scenario: A TAN works once
      Given the customer's mobile number is verified
      When the partner deletes the mobile number
      And the partner has the TAN sent for the change request by "static"
      And the customer confirms the change request with the TAN "212212"
      And the customer confirms the change request with the TAN "212212"
      Then the request is refused with status 400 and code "invalid_model" on field "tan"

    Scenario: The TAN goes by a documented delivery method
      Given the customer's mobile number is verified
      When the partner deletes the mobile number
      And the partner has the TAN sent for the change request by "carrier_pigeon"
      Then the request is refused with status 400 and code "invalid_model" on field "delivery_method"

    @webhooks
    Scenario: Deleting a number tells the partner through PERSON_MOBILE_NUMBER_DELETED
      Given the partner added the mobile number "+4915123456789"
      When the partner deletes the mobile number
      Then within 5 seconds the partner receives a PERSON_MOBILE_NUMBER_DELETED webhook for the customer
